package veriff_test

import (
	"encoding/json"
	"fmt"

	"github.com/veriffgo/veriff"
)

// An integration on Veriff's current INE products (INE Database
// Verification and INE Biometric Database Verification) judges the
// decision alone: there is no registry answer to wait for.
func ExampleINEChecks_Assess() {
	current := veriff.INEChecks{Database: true, Biometric: true}
	for _, js := range []string{
		`{"status":"success","verification":{"status":"approved","additionalVerifiedData":{"ineBiometricRegistryValidation":{"faceMatch":true,"faceMatchPercentage":96,"responseStatus":"success"}}}}`,
		`{"status":"success","verification":{"status":"approved","additionalVerifiedData":{}}}`,
		`{"status":"success","verification":{"status":"declined","reasonCode":123}}`,
	} {
		var d veriff.Decision
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			fmt.Println(err)
			return
		}
		a := current.Assess(&d, nil)
		fmt.Println(a.Verdict, "-", a.Reasons[len(a.Reasons)-1])
	}
	fmt.Println(veriff.INEChecks{}.Assess(nil, nil).Verdict)
	// Output:
	// verified - the credential is valid and active in the INE registry and the face matches (similarity 96%)
	// review - the decision carries no INE biometric result: the check did not run on this session
	// rejected - reason 123: Unable to pass registry checks
	// review
}
