package veriff_test

import (
	"encoding/json"
	"fmt"

	"github.com/veriffgo/veriff"
)

// AssessINE turns the decision and the INE registry answer into the one
// verdict to gate on.
func ExampleAssessINE() {
	var d veriff.Decision
	_ = json.Unmarshal([]byte(`{"status":"success","verification":{"id":"s-1","status":"approved",
		"additionalVerifiedData":{"ineBiometricRegistryValidation":{"faceMatch":true,"faceMatchPercentage":96,"responseStatus":"success"}}}}`), &d)

	for _, registry := range []*veriff.INERegistryResult{nil, {Active: false}, {Active: true}} {
		a := veriff.AssessINE(&d, registry)
		fmt.Println(a.Verdict, "-", a.Reasons[len(a.Reasons)-1])
	}
	// Output:
	// pending - the INE registry answer has not arrived yet
	// rejected - the INE registry reports the voter credential as not active
	// verified - the credential is valid and active in the INE registry and the face matches (similarity 96%)
}
