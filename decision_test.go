package veriff

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decisionFromFixture(t *testing.T, name string) *Decision {
	t.Helper()
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/decision",
		httpmock.NewBytesResponder(200, fixture(t, "sessions/"+name)))
	d, err := c.Decision(context.Background(), testSessionID)
	require.NoError(t, err)
	return d
}

func TestDecisionApproved(t *testing.T) {
	d := decisionFromFixture(t, "decision_approved.json")
	assert.Equal(t, "success", d.Status)
	require.NotNil(t, d.TechnicalData)
	require.NotNil(t, d.TechnicalData.IP)
	assert.Equal(t, "187.190.12.34", *d.TechnicalData.IP)

	v := d.Verification
	require.NotNil(t, v)
	assert.Equal(t, testSessionID, v.ID)
	assert.Equal(t, "e30122d1-740b-4764-853f-470374a7abf4", v.AttemptID)
	assert.Equal(t, "user-42", v.VendorData)
	assert.Equal(t, "a1b2c35d-e8f7-6d5e-3cd2-a1b2c35db3d4", v.EndUserID)
	assert.Equal(t, StatusApproved, v.Status)
	assert.True(t, v.Status.IsFinal())
	assert.Equal(t, CodeApproved, v.Code)
	assert.Nil(t, v.Reason)
	assert.Nil(t, v.ReasonCode)
	require.NotNil(t, v.DecisionTime)
	assert.True(t, v.DecisionTime.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)), v.DecisionTime)
	assert.True(t, v.AcceptanceTime.Equal(time.Date(2023, 12, 31, 23, 55, 12, 345_000_000, time.UTC)), v.AcceptanceTime)

}

// TestDecisionApprovedPerson checks the person of the approved decision.
func TestDecisionApprovedPerson(t *testing.T) {
	v := decisionFromFixture(t, "decision_approved.json").Verification
	require.NotNil(t, v)
	p := v.Person
	require.NotNil(t, p)
	assert.Equal(t, "MARIA GUADALUPE", p.FirstName)
	assert.Equal(t, "HERNANDEZ LOPEZ", p.LastName)
	assert.Equal(t, "MARIA GUADALUPE HERNANDEZ LOPEZ", p.FullName)
	assert.Equal(t, "1985-07-14", p.DateOfBirth)
	assert.Equal(t, "1985", p.YearOfBirth)
	assert.Equal(t, "JALISCO", p.PlaceOfBirth)
	assert.Equal(t, GenderFemale, p.Gender)
	assert.Equal(t, "HELM850714MJCRPR09", p.IDNumber)
	assert.Equal(t, "MX", p.Nationality)
	assert.Empty(t, p.Citizenship)
	assert.Equal(t, "0123456789012", p.IFEIdentifier)
	assert.Equal(t, "1234567890123", p.INEIdentifier)
	assert.Equal(t, "HRLPMR85071414M800", p.ElectorNumber)
	require.Len(t, p.Addresses, 2)
	assert.Equal(t, "AV JUAREZ 123 COL CENTRO 44100 GUADALAJARA, JAL.", p.Addresses[0].FullAddress)
	assert.Equal(t, &ParsedAddress{Street: "AV JUAREZ", HouseNumber: "123", City: "GUADALAJARA", State: "JAL", Postcode: "44100", Country: "MX"}, p.Addresses[0].ParsedAddress)
	require.NotNil(t, p.Addresses[1].ParsedAddress)
	assert.Empty(t, p.Addresses[1].ParsedAddress.HouseNumber, `the string "null" means absent`)
	assert.Equal(t, "MONTERREY", p.Addresses[1].ParsedAddress.City)
	var personRaw map[string]any
	require.NoError(t, json.Unmarshal(p.Raw, &personRaw))
	assert.Equal(t, "HELM850714MJCRPR09", personRaw["curp"], "unknown keys stay reachable through Raw")

}

// TestDecisionApprovedDocument checks the document of the approved decision.
func TestDecisionApprovedDocument(t *testing.T) {
	v := decisionFromFixture(t, "decision_approved.json").Verification
	require.NotNil(t, v)
	doc := v.Document
	require.NotNil(t, doc)
	assert.Equal(t, "IDMEX1234567890", doc.Number)
	assert.Equal(t, DocumentTypeIDCard, doc.Type)
	assert.Equal(t, "MX", doc.Country)
	assert.Equal(t, "JAL", doc.State)
	assert.Equal(t, "2019-01-01", doc.ValidFrom)
	assert.Equal(t, "2029-12-31", doc.ValidUntil)
	assert.Empty(t, doc.PlaceOfIssue)
	assert.Equal(t, "2019-01-01", doc.FirstIssue)
	assert.Equal(t, "2", doc.IssueNumber, "a number where a string is documented is kept")
	assert.Equal(t, "INSTITUTO NACIONAL ELECTORAL", doc.IssuedBy)
	assert.Equal(t, ptr(false), doc.NFCValidated)
	assert.Equal(t, ptr(true), doc.PortraitIsVisible)
	assert.Equal(t, "1234567890123", doc.INEIdentifier)
	require.NotNil(t, doc.Specimen)
	assert.Equal(t, ptr(false), doc.Specimen.ContainsContactlessChip)
	assert.Equal(t, ptr(false), doc.Specimen.ICAOStandardizedDocument)
	assert.Equal(t, ptr(false), doc.Specimen.NotNationalIDCard)
	assert.Equal(t, "national", doc.Specimen.LegalStatus)
	assert.Equal(t, "2019-01-01", doc.Specimen.FirstIssuedDate)

}

// TestDecisionApprovedExtras checks the additional data, risk labels and Raw of the approved decision.
func TestDecisionApprovedExtras(t *testing.T) {
	v := decisionFromFixture(t, "decision_approved.json").Verification
	require.NotNil(t, v)
	avd := v.AdditionalVerifiedData
	require.NotNil(t, avd)
	assert.Equal(t, ptr(38), avd.EstimatedAge, `"38" as a string still decodes`)
	assert.Equal(t, ptr(0.91), avd.EstimatedGender)
	ine := avd.INEBiometricRegistryValidation
	require.NotNil(t, ine)
	assert.Equal(t, ptr(true), ine.FaceMatch)
	assert.Equal(t, ptr(97.5), ine.FaceMatchPercentage)
	assert.Equal(t, ptr("success"), ine.ResponseStatus)
	var avdRaw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(avd.Raw, &avdRaw))
	assert.JSONEq(t, `{"status":"valid","listaNominal":true}`, string(avdRaw["ineDatabaseVerification"]))

	require.Len(t, v.RiskLabels, 2)
	assert.Equal(t, RiskLabel{Label: "document_integration_level_crosslinked_with_fraud", Category: "document",
		SessionIDs: []string{"5a2358e7-fd31-4fcb-a23f-4d76651ba68a"}}, v.RiskLabels[0])
	assert.Equal(t, "ip_is_a_vpn", v.RiskLabels[1].Label)
	assert.Empty(t, v.RiskLabels[1].SessionIDs)
	assert.JSONEq(t, `{"score":0.12}`, string(v.RiskScore))
	require.NotNil(t, v.BiometricAuthentication)
	assert.Equal(t, BiometricAuthentication{MatchedSessionID: "d40edb60-6ae6-4475-be72-84b81669cce6", MatchedSessionVendorData: "User001"}, *v.BiometricAuthentication)
	assert.Empty(t, v.Comments)
	assert.Equal(t, ptr(false), v.HighRisk)

	// Raw is the verification object as sent.
	var whole struct {
		Verification json.RawMessage `json:"verification"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "sessions/decision_approved.json"), &whole))
	assert.JSONEq(t, string(whole.Verification), string(v.Raw))
}

func TestDecisionDeclined(t *testing.T) {
	d := decisionFromFixture(t, "decision_declined.json")
	v := d.Verification
	require.NotNil(t, v)
	assert.Equal(t, StatusDeclined, v.Status)
	assert.Equal(t, CodeDeclined, v.Code)
	assert.Equal(t, ptr("Suspected document tampering"), v.Reason)
	assert.Equal(t, ptr(102), v.ReasonCode)
	assert.Equal(t, "Suspected document tampering", ReasonCodeText(*v.ReasonCode))
	require.NotNil(t, v.DecisionTime)
	assert.True(t, v.DecisionTime.Equal(time.Date(2019, 11, 6, 7, 18, 36, 916_000_000, time.UTC)))
	assert.Empty(t, v.VendorData, "null vendorData")
	assert.Empty(t, v.EndUserID, "null endUserId")
	assert.Nil(t, v.Person)
	assert.Nil(t, v.Document)
	require.NotNil(t, v.AdditionalVerifiedData, "{} is an empty result, not an absent one")
	assert.Nil(t, v.AdditionalVerifiedData.INEBiometricRegistryValidation)
	assert.NotNil(t, v.RiskLabels)
	assert.Empty(t, v.RiskLabels)
	assert.Nil(t, v.BiometricAuthentication)
	assert.Equal(t, ptr(true), v.HighRisk)
	require.NotNil(t, d.TechnicalData)
	assert.Equal(t, ptr("186.153.67.122"), d.TechnicalData.IP)
}

func TestDecisionNull(t *testing.T) {
	d := decisionFromFixture(t, "decision_null.json")
	assert.Equal(t, "success", d.Status)
	assert.Nil(t, d.Verification)
	require.NotNil(t, d.TechnicalData)
	assert.Nil(t, d.TechnicalData.IP)
}

func TestDecisionLenientDecoding(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, v *Verification)
	}{
		{"code and reasonCode as strings", `{"id":"s","status":"declined","code":"9102","reasonCode":"102"}`, func(t *testing.T, v *Verification) {
			assert.Equal(t, 9102, v.Code)
			assert.Equal(t, ptr(102), v.ReasonCode)
		}},
		{"yearOfBirth as number", `{"id":"s","person":{"yearOfBirth":1967,"height":172.5}}`, func(t *testing.T, v *Verification) {
			assert.Equal(t, "1967", v.Person.YearOfBirth)
			assert.Equal(t, "172.5", v.Person.Height)
		}},
		{"object where an array is documented", `{"id":"s","riskLabels":{},"comments":{}}`, func(t *testing.T, v *Verification) {
			assert.Nil(t, v.RiskLabels)
			assert.Nil(t, v.Comments)
			assert.Equal(t, "s", v.ID)
		}},
		{"array where an object is documented", `{"id":"s","person":[],"document":"none","additionalVerifiedData":[]}`, func(t *testing.T, v *Verification) {
			assert.Nil(t, v.Person)
			assert.Nil(t, v.Document)
			assert.Nil(t, v.AdditionalVerifiedData)
		}},
		{"everything null", `{"id":null,"status":null,"code":null,"reason":null,"reasonCode":null,"decisionTime":null,"person":null,"riskLabels":null,"highRisk":null}`, func(t *testing.T, v *Verification) {
			assert.Empty(t, v.ID)
			assert.Zero(t, v.Code)
			assert.Nil(t, v.ReasonCode)
			assert.Nil(t, v.DecisionTime)
		}},
		{"times in several layouts", `{"decisionTime":"2024-01-01T00:00:00.000000Z","acceptanceTime":"2024-01-01T01:02:03+01:00"}`, func(t *testing.T, v *Verification) {
			require.NotNil(t, v.DecisionTime)
			assert.True(t, v.DecisionTime.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
			assert.True(t, v.AcceptanceTime.Equal(time.Date(2024, 1, 1, 0, 2, 3, 0, time.UTC)))
		}},
		{"time without zone", `{"decisionTime":"2024-01-01T10:00:00.5"}`, func(t *testing.T, v *Verification) {
			require.NotNil(t, v.DecisionTime)
			assert.True(t, v.DecisionTime.Equal(time.Date(2024, 1, 1, 10, 0, 0, 500_000_000, time.UTC)))
		}},
		{"unparseable time", `{"decisionTime":"yesterday","code":9001}`, func(t *testing.T, v *Verification) {
			assert.Nil(t, v.DecisionTime)
			assert.Equal(t, 9001, v.Code)
		}},
		{"non-integral code is dropped", `{"code":9001.5,"status":"approved"}`, func(t *testing.T, v *Verification) {
			assert.Zero(t, v.Code)
			assert.Equal(t, StatusApproved, v.Status)
		}},
		{"bools as strings", `{"highRisk":"true","document":{"nfcValidated":"false"}}`, func(t *testing.T, v *Verification) {
			assert.Equal(t, ptr(true), v.HighRisk)
			assert.Equal(t, ptr(false), v.Document.NFCValidated)
		}},
		{"drivers licence maps", `{"additionalVerifiedData":{"driversLicenseCategory":{"B":true,"C":"false"},"driversLicenseCategoryUntil":{"B":"2025-10-05"},"estimatedAge":32.0}}`, func(t *testing.T, v *Verification) {
			avd := v.AdditionalVerifiedData
			assert.Equal(t, map[string]bool{"B": true, "C": false}, avd.DriversLicenseCategory)
			assert.Equal(t, map[string]string{"B": "2025-10-05"}, avd.DriversLicenseCategoryUntil)
			assert.Equal(t, ptr(32), avd.EstimatedAge)
		}},
		{"mixed risk label elements", `{"riskLabels":[{"label":"a","category":"network","sessionIds":null},"junk",null]}`, func(t *testing.T, v *Verification) {
			require.Len(t, v.RiskLabels, 2)
			assert.Equal(t, "a", v.RiskLabels[0].Label)
			assert.Equal(t, RiskLabel{}, v.RiskLabels[1])
		}},
		{"case-insensitive keys", `{"ID":"s","AttemptId":"a"}`, func(t *testing.T, v *Verification) {
			assert.Equal(t, "s", v.ID)
			assert.Equal(t, "a", v.AttemptID)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Decision
			require.NoError(t, json.Unmarshal([]byte(`{"status":"success","verification":`+tt.body+`}`), &d))
			require.NotNil(t, d.Verification)
			assert.JSONEq(t, tt.body, string(d.Verification.Raw))
			tt.check(t, d.Verification)
		})
	}
}

func TestDecisionRejectsNonObjects(t *testing.T) {
	for _, body := range []string{`[]`, `"x"`, `42`} {
		var d Decision
		assert.Error(t, json.Unmarshal([]byte(body), &d), body)
	}
	var d Decision
	require.NoError(t, json.Unmarshal([]byte(`null`), &d))
	assert.Nil(t, d.Verification)
	// A verification of the wrong shape is left nil rather than failing.
	require.NoError(t, json.Unmarshal([]byte(`{"status":"success","verification":[1,2]}`), &d))
	assert.Nil(t, d.Verification)
}

func TestDecisionRoundTrip(t *testing.T) {
	// A Decision built in Go marshals to what Veriff sends and decodes back.
	in := Decision{Status: "success", Verification: &Verification{
		ID: testSessionID, Status: StatusDeclined, Code: CodeDeclined,
		Reason: ptr("Known fraud"), ReasonCode: ptr(106),
		DecisionTime: ptr(time.Date(2024, 5, 6, 7, 8, 9, 123_000_000, time.UTC)),
		Person:       &DecisionPerson{FirstName: "A", INEIdentifier: "1"},
		RiskLabels:   []RiskLabel{{Label: "l", Category: "c"}},
	}}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	var out Decision
	require.NoError(t, json.Unmarshal(b, &out))
	require.NotNil(t, out.Verification)
	out.Verification.Raw, out.Verification.Person.Raw = nil, nil
	assert.Equal(t, in, out)
}

// waitResponders are the decision answers the WaitForDecision tests use.
func waitResponders(t *testing.T) (null, approved httpmock.Responder) {
	return httpmock.NewBytesResponder(200, fixture(t, "sessions/decision_null.json")),
		httpmock.NewBytesResponder(200, fixture(t, "sessions/decision_approved.json"))
}

const waitPath = testBase + "/v1/sessions/" + testSessionID + "/decision"

func TestWaitForDecision(t *testing.T) {
	null, approved := waitResponders(t)
	resubmit := httpmock.NewStringResponder(200, `{"status":"success","verification":{"id":"`+testSessionID+`","status":"resubmission_requested","code":9103,"reasonCode":204,"reason":"Poor image quality"}}`)
	unauthorized := httpmock.NewBytesResponder(401, fixture(t, "sessions/error_401_1818.json"))
	malformed := httpmock.NewStringResponder(200, `{"status":`)
	noRetries := []Option{WithMaxRetries(0)}
	tests := []struct {
		name    string
		opts    []Option
		answers []httpmock.Responder
		want    SessionStatus // the decision's status; "" when wantErr
		final   bool          // want.IsFinal()
		wantErr error
		calls   int
	}{
		{"null, null, approved", nil, []httpmock.Responder{null, null, approved}, StatusApproved, true, nil, 3},
		{"resubmission_requested is a decision", nil, []httpmock.Responder{null, resubmit}, StatusResubmissionRequested, false, nil, 2},
		{"temporary errors do not end the wait", noRetries, []httpmock.Responder{null, status(503), status(429), approved}, StatusApproved, true, nil, 4},
		{"network errors do not end the wait", noRetries, []httpmock.Responder{fail(errReset), approved}, StatusApproved, true, nil, 2},
		{"a non-temporary error ends the wait", nil, []httpmock.Responder{null, unauthorized, approved}, "", false, ErrUnauthorized, 2},
		{"a malformed body ends the wait", nil, []httpmock.Responder{malformed, approved}, "", false, ErrInvalidResponse, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t, tt.opts...)
			mt.RegisterResponder(http.MethodGet, waitPath, sequence(tt.answers...))
			d, err := c.WaitForDecision(context.Background(), testSessionID, time.Millisecond)
			assert.Equal(t, tt.calls, mt.GetTotalCallCount())
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, d.Verification)
			assert.Equal(t, tt.want, d.Verification.Status)
			assert.Equal(t, tt.final, d.Verification.Status.IsFinal())
			assert.True(t, d.Verification.Status.IsDecided())
		})
	}
}

// TestWaitForDecisionRetryAfter: Retry-After and the caller's deadline
// pace and end the wait.
func TestWaitForDecisionRetryAfter(t *testing.T) {
	t.Parallel() // waits on deadlines, not the CPU
	_, approved := waitResponders(t)
	path := waitPath
	t.Run("a Retry-After longer than the interval is honoured", func(t *testing.T) {
		c, mt := setup(t, WithMaxRetries(0))
		limited := func(*http.Request) (*http.Response, error) {
			resp := httpmock.NewStringResponse(429, `{"status":"fail","code":"1004","message":"Too many requests"}`)
			resp.Header.Set("Retry-After", "1")
			return resp, nil
		}
		mt.RegisterResponder(http.MethodGet, path, sequence(limited, approved))
		start := time.Now()
		d, err := c.WaitForDecision(context.Background(), testSessionID, time.Millisecond)
		require.NoError(t, err)
		assert.NotNil(t, d.Verification)
		assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "waited as Retry-After asked, not every 1ms")
		assert.Equal(t, 2, mt.GetTotalCallCount())
	})
	t.Run("the context's end keeps the last failure", func(t *testing.T) {
		c, mt := setup(t, WithMaxRetries(0))
		mt.RegisterResponder(http.MethodGet, path, status(503))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := c.WaitForDecision(ctx, testSessionID, 5*time.Millisecond)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		var apiErr *APIError
		require.ErrorAs(t, err, &apiErr, "the last failure is not lost")
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.GreaterOrEqual(t, mt.GetTotalCallCount(), 2)
	})
}

func TestWaitForDecisionCancel(t *testing.T) {
	t.Parallel() // waits on deadlines, not the CPU
	null, approved := waitResponders(t)
	path := waitPath
	t.Run("cancel mid-wait returns promptly", func(t *testing.T) {
		c, mt := setup(t)
		var polls atomic.Int32
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		mt.RegisterResponder(http.MethodGet, path, func(r *http.Request) (*http.Response, error) {
			if polls.Add(1) == 1 {
				cancel() // cancelled before the client sleeps an hour
			}
			return null(r)
		})
		start := time.Now()
		_, err := c.WaitForDecision(ctx, testSessionID, time.Hour)
		elapsed := time.Since(start)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorIs(t, err, ctx.Err())
		assert.Less(t, elapsed, time.Second)
		assert.Equal(t, int32(1), polls.Load(), "the first poll happens at once, the second never comes")
	})
	t.Run("cancel during the sleep", func(t *testing.T) {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodGet, path, null)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.WaitForDecision(ctx, testSessionID, time.Hour)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), time.Second)
		assert.Equal(t, 1, mt.GetTotalCallCount())
	})
	t.Run("deadline", func(t *testing.T) {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodGet, path, null)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.WaitForDecision(ctx, testSessionID, 5*time.Millisecond)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), time.Second)
		assert.GreaterOrEqual(t, mt.GetTotalCallCount(), 2)
	})
	t.Run("already cancelled", func(t *testing.T) {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodGet, path, approved)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.WaitForDecision(ctx, testSessionID, time.Millisecond)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 0, mt.GetTotalCallCount())
	})
}

func TestWaitForDecisionRefusesInterval(t *testing.T) {
	_, approved := waitResponders(t)
	path := waitPath
	for _, every := range []time.Duration{0, -time.Second} {
		t.Run("refuses interval "+every.String(), func(t *testing.T) {
			c, mt := setup(t)
			mt.RegisterResponder(http.MethodGet, path, approved)
			_, err := c.WaitForDecision(context.Background(), testSessionID, every)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.ErrorIs(t, err, ErrInvalidInput)
			assert.Equal(t, "every", ie.Field)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

func TestDecisionBodyNotAnObject(t *testing.T) {
	for _, body := range []string{`[]`, `"approved"`, `42`} {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/decision", httpmock.NewStringResponder(200, body))
		_, err := c.Decision(context.Background(), testSessionID)
		require.ErrorIs(t, err, ErrInvalidResponse, body)
	}
}

func TestNestedRawAndLenientLeaves(t *testing.T) {
	d := decisionFromFixture(t, "decision_approved.json")
	var doc map[string]any
	require.NoError(t, json.Unmarshal(d.Verification.Document.Raw, &doc))
	assert.Equal(t, "IDMEX1234567890", doc["number"], "the document keeps its object in Raw")

	var v Verification
	require.NoError(t, json.Unmarshal([]byte(`{"reasonCode":"abc","code":"9001 ","highRisk":"maybe","decisionTime":"2024-01-01",`+
		`"person":{"yearOfBirth":true,"height":"172","addresses":[{"parsedAddress":{"city":"null","state":"JAL"}}]},`+
		`"additionalVerifiedData":{"estimatedAge":"n/a","estimatedGender":"0.25","driversLicenseCategory":{"B":"yes","C":true}}}`), &v))
	assert.Nil(t, v.ReasonCode, "an unreadable reasonCode is absent, not 0")
	assert.Equal(t, 9001, v.Code)
	assert.Nil(t, v.HighRisk)
	require.NotNil(t, v.DecisionTime)
	assert.True(t, v.DecisionTime.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.NotNil(t, v.Person)
	assert.Empty(t, v.Person.YearOfBirth)
	assert.Equal(t, "172", v.Person.Height)
	require.Len(t, v.Person.Addresses, 1)
	assert.Equal(t, &ParsedAddress{State: "JAL"}, v.Person.Addresses[0].ParsedAddress)
	avd := v.AdditionalVerifiedData
	require.NotNil(t, avd)
	assert.Nil(t, avd.EstimatedAge)
	assert.Equal(t, ptr(0.25), avd.EstimatedGender)
	assert.Equal(t, map[string]bool{"C": true}, avd.DriversLicenseCategory)

	var a ParsedAddress
	require.NoError(t, json.Unmarshal([]byte(`{"street":"null","city":"GDL"}`), &a))
	assert.Equal(t, ParsedAddress{City: "GDL"}, a)
}
