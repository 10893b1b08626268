package veriff

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullCreateSession is a CreateSessionRequest with every field set, and
// the exact JSON it must be sent as.
func fullCreateSession() (CreateSessionRequest, string) {
	req := CreateSessionRequest{
		Callback: "https://veriff.com",
		Person: &SessionPerson{
			FirstName: "John", LastName: "Smith", IDNumber: "123456789",
			PhoneNumber: "+52 33 1234 5678", Gender: GenderMale, DateOfBirth: "1985-07-14",
			Email: "john@example.com", MaritalStatus: MaritalStatusSingle, IsDeceased: ptr(false),
		},
		Document: &SessionDocument{
			Number: "B01234567", Country: "EE", Type: DocumentTypePassport,
			IDCardType: "CC", FirstIssue: "2015-03-21",
		},
		Address:        &SessionAddress{FullAddress: "Lorem Ipsum 30, 13612 Tallinn, Estonia"},
		ProofOfAddress: &SessionProofOfAddress{AcceptableTypes: []AcceptableType{{Name: "BANK_STATEMENT"}, {Name: "ELECTRICITY_BILL"}}},
		VendorData:     "11111111",
		EndUserID:      "fa820aba-019f-455a-ae81-cfca8075bc3f",
		Consents:       []Consent{INEConsent(), {Type: ConsentTypeBIPA, Approved: false}},
	}
	js := `{"verification":{"callback":"https://veriff.com",` +
		`"person":{"firstName":"John","lastName":"Smith","idNumber":"123456789","phoneNumber":"+52 33 1234 5678","gender":"M","dateOfBirth":"1985-07-14","email":"john@example.com","maritalStatus":"single","isDeceased":false},` +
		`"document":{"number":"B01234567","country":"EE","type":"PASSPORT","idCardType":"CC","firstIssue":"2015-03-21"},` +
		`"address":{"fullAddress":"Lorem Ipsum 30, 13612 Tallinn, Estonia"},` +
		`"proofOfAddress":{"acceptableTypes":[{"name":"BANK_STATEMENT"},{"name":"ELECTRICITY_BILL"}]},` +
		`"vendorData":"11111111","endUserId":"fa820aba-019f-455a-ae81-cfca8075bc3f",` +
		`"consents":[{"type":"ine","approved":true},{"type":"bipa","approved":false}]}}`
	return req, js
}

// sessionWireCase is one session endpoint call and the request it must send.
type sessionWireCase struct {
	name     string
	call     func(c *Client) (any, error)
	method   string
	path     string
	body     string // exact bytes expected; "" for none
	signID   string // message signed when there is no body
	status   int
	fixture  string
	integrID bool
	check    func(t *testing.T, got any)
}

// sessionCreateCases are the CreateSession calls.
func sessionCreateCases() []sessionWireCase {
	fullCreate, fullCreateJSON := fullCreateSession()
	return []sessionWireCase{
		{
			name:   "create full",
			call:   func(c *Client) (any, error) { return c.CreateSession(context.Background(), fullCreate) },
			method: http.MethodPost, path: "/v1/sessions", body: fullCreateJSON,
			status: 201, fixture: "create_201.json", integrID: true,
			check: func(t *testing.T, got any) {
				s := got.(*Session)
				assert.Equal(t, &Session{
					ID:           "f04bdb47-d3be-4b28-b028-a652feb060b5",
					URL:          "https://alchemy.veriff.com/v/eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzZXNzaW9uX2lkIjoiZjA0YmRiNDcifQ.c2lnbmF0dXJl",
					VendorData:   "user-42",
					Host:         "https://alchemy.veriff.com",
					Status:       StatusCreated,
					SessionToken: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzZXNzaW9uX2lkIjoiZjA0YmRiNDcifQ.c2lnbmF0dXJl",
				}, s)
			},
		},
		{
			name:   "create minimal",
			call:   func(c *Client) (any, error) { return c.CreateSession(context.Background(), CreateSessionRequest{}) },
			method: http.MethodPost, path: "/v1/sessions", body: `{"verification":{}}`,
			status: 201, fixture: "create_201.json", integrID: true,
			check: func(t *testing.T, got any) {
				assert.Equal(t, "f04bdb47-d3be-4b28-b028-a652feb060b5", got.(*Session).ID)
			},
		},
		{
			name: "create INE person only",
			call: func(c *Client) (any, error) {
				return c.CreateSession(context.Background(), CreateSessionRequest{
					Person:   &SessionPerson{FirstName: "María", LastName: "Hernández"},
					Consents: []Consent{INEConsent()},
				})
			},
			method: http.MethodPost, path: "/v1/sessions",
			body:   `{"verification":{"person":{"firstName":"María","lastName":"Hernández"},"consents":[{"type":"ine","approved":true}]}}`,
			status: 201, fixture: "create_201.json", integrID: true,
			check: func(t *testing.T, got any) { assert.Equal(t, StatusCreated, got.(*Session).Status) },
		},
	}
}

// sessionCallCases are the calls on an existing session.
func sessionCallCases() []sessionWireCase {
	const id = testSessionID
	return []sessionWireCase{
		{
			name:   "submit",
			call:   func(c *Client) (any, error) { return c.SubmitSession(context.Background(), id) },
			method: http.MethodPatch, path: "/v1/sessions/" + id, body: `{"verification":{"status":"submitted"}}`,
			status: 200, fixture: "submit_200.json",
			check: func(t *testing.T, got any) {
				s := got.(*Session)
				assert.Equal(t, id, s.ID)
				assert.Equal(t, StatusSubmitted, s.Status)
				assert.Equal(t, "https://alchemy.veriff.com", s.Host)
			},
		},
		{
			name:   "delete",
			call:   func(c *Client) (any, error) { return nil, c.DeleteSession(context.Background(), id) },
			method: http.MethodDelete, path: "/v1/sessions/" + id, signID: id,
			status: 200, fixture: "delete_200.json",
			check: func(t *testing.T, got any) { assert.Nil(t, got) },
		},
		{
			name:   "decision",
			call:   func(c *Client) (any, error) { return c.Decision(context.Background(), id) },
			method: http.MethodGet, path: "/v1/sessions/" + id + "/decision", signID: id,
			status: 200, fixture: "decision_approved.json",
			check: func(t *testing.T, got any) {
				d := got.(*Decision)
				require.NotNil(t, d.Verification)
				assert.Equal(t, StatusApproved, d.Verification.Status)
			},
		},
		{
			name:   "person",
			call:   func(c *Client) (any, error) { return c.Person(context.Background(), id) },
			method: http.MethodGet, path: "/v1/sessions/" + id + "/person", signID: id,
			status: 200, fixture: "person_200.json",
			check: func(t *testing.T, got any) {
				p := got.(*PersonResult)
				assert.Equal(t, "success", p.Status)
				assert.Equal(t, "JUAN", p.FirstName)
			},
		},
		{
			name:   "attempts",
			call:   func(c *Client) (any, error) { return c.Attempts(context.Background(), id) },
			method: http.MethodGet, path: "/v1/sessions/" + id + "/attempts", signID: id,
			status: 200, fixture: "attempts_200.json",
			check: func(t *testing.T, got any) { assert.Len(t, got.([]Attempt), 2) },
		},
		{
			name:   "watchlist screening",
			call:   func(c *Client) (any, error) { return c.WatchlistScreening(context.Background(), id) },
			method: http.MethodGet, path: "/v1/sessions/" + id + "/watchlist-screening", signID: id,
			status: 200, fixture: "watchlist_200.json",
			check: func(t *testing.T, got any) {
				w := got.(*WatchlistScreening)
				assert.Equal(t, "success", w.Status)
				assert.Equal(t, MatchStatusPossibleMatch, w.MatchStatus)
			},
		},
		{
			name: "collected data",
			call: func(c *Client) (any, error) {
				return nil, c.SendCollectedData(context.Background(), id, CollectedData{
					ProviderName: "SampleName",
					Network:      CollectedNetwork{IP: "187.190.12.34"},
					Device:       CollectedDevice{Fingerprint: "fp-0123456789abcdef"},
					Person:       &CollectedPerson{Email: "firstname.lastname@domain.com", PhoneNumber: "+11 234 567"},
				})
			},
			method: http.MethodPost, path: "/v1/sessions/" + id + "/collected-data",
			body:   `{"providerName":"SampleName","network":{"ip":"187.190.12.34"},"device":{"fingerprint":"fp-0123456789abcdef"},"person":{"email":"firstname.lastname@domain.com","phoneNumber":"+11 234 567"}}`,
			status: 200, fixture: "collected_data_200.json",
			check: func(t *testing.T, got any) { assert.Nil(t, got) },
		},
	}
}

// assertWire checks the request the transport received against tt.
func assertWire(t *testing.T, req seenRequest, tt sessionWireCase) {
	t.Helper()
	assert.Equal(t, tt.method, req.method)
	assert.Equal(t, tt.path, req.path)
	assert.Empty(t, req.rawQuery)
	assert.Equal(t, testAPIKey, req.header.Get("X-AUTH-CLIENT"))
	assert.True(t, strings.HasPrefix(req.header.Get("User-Agent"), "acme-app/2.0 veriffgo/"+Version), req.header.Get("User-Agent"))
	if tt.body != "" {
		assert.Equal(t, tt.body, string(req.body), "exact body bytes")
		assert.Equal(t, "application/json", req.header.Get("Content-Type"))
		assert.Equal(t, Sign(testSecret, req.body), req.header.Get("X-HMAC-SIGNATURE"), "signature over the exact body received")
	} else {
		assert.Empty(t, req.body)
		assert.Empty(t, req.header.Values("Content-Type"), "no Content-Type without a body")
		assert.Equal(t, Sign(testSecret, []byte(tt.signID)), req.header.Get("X-HMAC-SIGNATURE"), "signature over the ID")
	}
	if tt.integrID {
		assert.Equal(t, testIntegrationID, req.header.Get("vrf-integration-id"))
	} else {
		assert.Empty(t, req.header.Values("vrf-integration-id"), "vrf-integration-id only on creation")
	}
}

func TestSessionEndpointsWire(t *testing.T) {
	for _, tt := range append(sessionCreateCases(), sessionCallCases()...) {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t, WithIntegrationID(testIntegrationID), WithUserAgent("acme-app/2.0"))
			rr := recordOn(mt, tt.method, testBase+tt.path, reply(tt.status, fixture(t, "sessions/"+tt.fixture)))

			got, err := tt.call(c)
			require.NoError(t, err)
			tt.check(t, got)

			assertWire(t, rr.only(t), tt)
			assert.Equal(t, 1, mt.GetTotalCallCount())
		})
	}
}

func TestCreateSessionWithoutIntegrationID(t *testing.T) {
	c, mt := setup(t)
	rr := recordOn(mt, http.MethodPost, testBase+"/v1/sessions", reply(201, fixture(t, "sessions/create_201.json")))
	_, err := c.CreateSession(context.Background(), CreateSessionRequest{VendorData: "v"})
	require.NoError(t, err)
	assert.Empty(t, rr.only(t).header.Values("vrf-integration-id"))
}

func TestCreateSessionDocsExample(t *testing.T) {
	// The expanded request of Veriff's docs, built from the SDK's types.
	req := CreateSessionRequest{
		Callback:   "https://veriff.com",
		Person:     &SessionPerson{FirstName: "John", LastName: "Smith", IDNumber: "123456789"},
		Document:   &SessionDocument{Number: "B01234567", Type: DocumentTypePassport, Country: "EE"},
		Address:    &SessionAddress{FullAddress: "Lorem Ipsum 30, 13612 Tallinn, Estonia"},
		VendorData: "11111111",
		EndUserID:  "fa820aba-019f-455a-ae81-cfca8075bc3f",
		Consents:   []Consent{{Type: "ine", Approved: true}},
	}
	b, err := json.Marshal(struct {
		V CreateSessionRequest `json:"verification"`
	}{req})
	require.NoError(t, err)
	assert.JSONEq(t, `{"verification":{"callback":"https://veriff.com","person":{"firstName":"John","lastName":"Smith","idNumber":"123456789"},
	 "document":{"number":"B01234567","type":"PASSPORT","country":"EE"},
	 "address":{"fullAddress":"Lorem Ipsum 30, 13612 Tallinn, Estonia"},
	 "vendorData":"11111111","endUserId":"fa820aba-019f-455a-ae81-cfca8075bc3f",
	 "consents":[{"type":"ine","approved":true}]}}`, string(b))
}

func TestCreateSessionLegacyResponse(t *testing.T) {
	c, mt := setup(t)
	recordOn(mt, http.MethodPost, testBase+"/v1/sessions", reply(200, fixture(t, "sessions/create_legacy_201.json")))
	s, err := c.CreateSession(context.Background(), CreateSessionRequest{})
	require.NoError(t, err)
	assert.Equal(t, "https://magic.veriff.me", s.Host, "legacy baseUrl becomes Host")
	assert.Empty(t, s.VendorData, "null vendorData")
	assert.Equal(t, "f04bdb47-d3be-4b28-b028-a652feb060b5", s.ID)
}

func TestCreateSessionResponseWithoutID(t *testing.T) {
	for _, body := range []string{`{"status":"success"}`, `{"status":"success","verification":null}`, `{"status":"success","verification":{"url":"x"}}`} {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodPost, testBase+"/v1/sessions", httpmock.NewStringResponder(201, body))
		_, err := c.CreateSession(context.Background(), CreateSessionRequest{})
		require.Error(t, err, body)
		assert.ErrorIs(t, err, ErrInvalidResponse, body)
	}
}

func TestCreateSessionValidation(t *testing.T) {
	tests := []struct {
		name  string
		req   CreateSessionRequest
		field string // "" when valid
	}{
		{"vendorData 1000 chars", CreateSessionRequest{VendorData: strings.Repeat("a", 1000)}, ""},
		{"vendorData 1000 multibyte chars", CreateSessionRequest{VendorData: strings.Repeat("é", 1000)}, ""},
		{"vendorData 1001 chars", CreateSessionRequest{VendorData: strings.Repeat("a", 1001)}, "VendorData"},
		{"dateOfBirth ok", CreateSessionRequest{Person: &SessionPerson{DateOfBirth: "1967-03-30"}}, ""},
		{"dateOfBirth slashes", CreateSessionRequest{Person: &SessionPerson{DateOfBirth: "30/03/1967"}}, "Person.DateOfBirth"},
		{"dateOfBirth month 13", CreateSessionRequest{Person: &SessionPerson{DateOfBirth: "1967-13-01"}}, "Person.DateOfBirth"},
		{"dateOfBirth one-digit month", CreateSessionRequest{Person: &SessionPerson{DateOfBirth: "1967-3-30"}}, "Person.DateOfBirth"},
		{"dateOfBirth with time", CreateSessionRequest{Person: &SessionPerson{DateOfBirth: "1967-03-30T00:00:00Z"}}, "Person.DateOfBirth"},
		{"firstIssue ok", CreateSessionRequest{Document: &SessionDocument{FirstIssue: "2015-03-21"}}, ""},
		{"firstIssue bad", CreateSessionRequest{Document: &SessionDocument{FirstIssue: "2015-02-30"}}, "Document.FirstIssue"},
		{"empty consent type", CreateSessionRequest{Consents: []Consent{{Approved: true}}}, "Consents[0].Type"},
		{"relative callback", CreateSessionRequest{Callback: "/done"}, "Callback"},
		{"ftp callback", CreateSessionRequest{Callback: "ftp://example.com/"}, "Callback"},
		{"empty acceptable type", CreateSessionRequest{ProofOfAddress: &SessionProofOfAddress{AcceptableTypes: []AcceptableType{{}}}}, "ProofOfAddress.AcceptableTypes[0].Name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			mt.RegisterResponder(http.MethodPost, testBase+"/v1/sessions", httpmock.NewBytesResponder(201, fixture(t, "sessions/create_201.json")))
			_, err := c.CreateSession(context.Background(), tt.req)
			if tt.field == "" {
				require.NoError(t, err)
				assert.Equal(t, 1, mt.GetTotalCallCount())
				return
			}
			require.ErrorIs(t, err, ErrInvalidInput)
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tt.field, ie.Field)
			assert.Equal(t, 0, mt.GetTotalCallCount(), "nothing may be sent")
		})
	}
}

func TestInvalidSessionIDsSendNothing(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *Client, id string) error{
		"SubmitSession": func(c *Client, id string) error { _, err := c.SubmitSession(ctx, id); return err },
		"DeleteSession": func(c *Client, id string) error { return c.DeleteSession(ctx, id) },
		"Decision":      func(c *Client, id string) error { _, err := c.Decision(ctx, id); return err },
		"WaitForDecision": func(c *Client, id string) error {
			_, err := c.WaitForDecision(ctx, id, time.Millisecond)
			return err
		},
		"Person":             func(c *Client, id string) error { _, err := c.Person(ctx, id); return err },
		"Attempts":           func(c *Client, id string) error { _, err := c.Attempts(ctx, id); return err },
		"WatchlistScreening": func(c *Client, id string) error { _, err := c.WatchlistScreening(ctx, id); return err },
		"SendCollectedData": func(c *Client, id string) error {
			return c.SendCollectedData(ctx, id, CollectedData{ProviderName: "p", Network: CollectedNetwork{IP: "10.0.0.1"}, Device: CollectedDevice{Fingerprint: "f"}})
		},
	}
	badIDs := []string{"", "a/b", "../decision", "a?b=c", "a#frag", "a%2Fb", "a b", "..", "a..b", "a\tb", "a\nb", " " + testSessionID}
	for name, call := range calls {
		for _, id := range badIDs {
			t.Run(name+"/"+id, func(t *testing.T) {
				c, mt := setup(t)
				mt.RegisterNoResponder(httpmock.NewStringResponder(200, `{"status":"success"}`))
				err := call(c, id)
				require.ErrorIs(t, err, ErrInvalidInput)
				var ie *InputError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, "sessionID", ie.Field)
				assert.Equal(t, 0, mt.GetTotalCallCount(), "no request may be sent")
			})
		}
	}
}

// sessionErrorCase is one session call answered with a Veriff error body.
type sessionErrorCase struct {
	name     string
	method   string
	path     string
	call     func(c *Client) error
	status   int
	fixture  string
	sentinel error
	code     string
	message  string
}

// sessionErrorCases are the error shapes TestSessionErrorShapes checks.
func sessionErrorCases(ctx context.Context) []sessionErrorCase {
	return []sessionErrorCase{
		{
			name: "401 with string code 1818", method: http.MethodGet, path: "/v1/sessions/" + testSessionID + "/decision",
			call:   func(c *Client) error { _, err := c.Decision(ctx, testSessionID); return err },
			status: 401, fixture: "error_401_1818.json", sentinel: ErrUnauthorized, code: "1818",
			message: "Signature does not match the HMAC-SHA256 of query ID and integration API secret.",
		},
		{
			name: "400 with numeric code", method: http.MethodPost, path: "/v1/sessions",
			call:   func(c *Client) error { _, err := c.CreateSession(ctx, CreateSessionRequest{}); return err },
			status: 400, fixture: "error_400_numeric_code.json", sentinel: ErrBadRequest, code: "1102",
			message: "Mandatory parameters are missing from the request.",
		},
		{
			name: "404 without code", method: http.MethodGet, path: "/v1/sessions/" + testSessionID + "/person",
			call:   func(c *Client) error { _, err := c.Person(ctx, testSessionID); return err },
			status: 404, fixture: "error_404.json", sentinel: ErrNotFound, code: "", message: "Session not found",
		},
		{
			name: "409 on second submit", method: http.MethodPatch, path: "/v1/sessions/" + testSessionID,
			call:   func(c *Client) error { _, err := c.SubmitSession(ctx, testSessionID); return err },
			status: 409, fixture: "error_409.json", sentinel: ErrConflict, code: "1304", message: `Cannot transition to "submitted" status`,
		},
		{
			name: "401 on delete", method: http.MethodDelete, path: "/v1/sessions/" + testSessionID,
			call:   func(c *Client) error { return c.DeleteSession(ctx, testSessionID) },
			status: 401, fixture: "error_401_1818.json", sentinel: ErrUnauthorized, code: "1818",
			message: "Signature does not match the HMAC-SHA256 of query ID and integration API secret.",
		},
		{
			name: "400 on collected data", method: http.MethodPost, path: "/v1/sessions/" + testSessionID + "/collected-data",
			call: func(c *Client) error {
				return c.SendCollectedData(ctx, testSessionID, CollectedData{ProviderName: "p", Network: CollectedNetwork{IP: "10.0.0.1"}, Device: CollectedDevice{Fingerprint: "f"}})
			},
			status: 400, fixture: "error_400_numeric_code.json", sentinel: ErrBadRequest, code: "1102",
			message: "Mandatory parameters are missing from the request.",
		},
		{
			name: "404 on attempts", method: http.MethodGet, path: "/v1/sessions/" + testSessionID + "/attempts",
			call:   func(c *Client) error { _, err := c.Attempts(ctx, testSessionID); return err },
			status: 404, fixture: "error_404.json", sentinel: ErrNotFound, message: "Session not found",
		},
		{
			name: "404 on watchlist", method: http.MethodGet, path: "/v1/sessions/" + testSessionID + "/watchlist-screening",
			call:   func(c *Client) error { _, err := c.WatchlistScreening(ctx, testSessionID); return err },
			status: 404, fixture: "error_404.json", sentinel: ErrNotFound, message: "Session not found",
		},
	}
}

func TestSessionErrorShapes(t *testing.T) {
	for _, tt := range sessionErrorCases(context.Background()) {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			mt.RegisterResponder(tt.method, testBase+tt.path, httpmock.NewBytesResponder(tt.status, fixture(t, "sessions/"+tt.fixture)))
			err := tt.call(c)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.sentinel)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, tt.message, apiErr.Message)
			assert.Equal(t, "fail", apiErr.Status)
			assert.Equal(t, tt.method, apiErr.Method)
			assert.Equal(t, tt.path, apiErr.Path)
			assert.Equal(t, 1, mt.GetTotalCallCount(), "4xx is never retried")
			assert.NotContains(t, err.Error(), testSecret)
			assert.NotContains(t, err.Error(), testAPIKey)
		})
	}
}

func TestSessionStatusHelpers(t *testing.T) {
	tests := []struct {
		s              SessionStatus
		final, decided bool
	}{
		{StatusCreated, false, false},
		{StatusStarted, false, false},
		{StatusSubmitted, false, false},
		{StatusApproved, true, true},
		{StatusDeclined, true, true},
		{StatusResubmissionRequested, false, true},
		{StatusExpired, true, true},
		{StatusAbandoned, true, true},
		{StatusReview, false, true},
		{SessionStatus("inflow_completed"), false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.final, tt.s.IsFinal(), tt.s)
		assert.Equal(t, tt.decided, tt.s.IsDecided(), tt.s)
	}
}

func TestINEConsent(t *testing.T) {
	assert.Equal(t, Consent{Type: "ine", Approved: true}, INEConsent())
	b, err := json.Marshal(INEConsent())
	require.NoError(t, err)
	assert.Equal(t, `{"type":"ine","approved":true}`, string(b))
}

func TestSubmitBodyBytes(t *testing.T) {
	b, err := json.Marshal(submitBody)
	require.NoError(t, err)
	assert.Equal(t, `{"verification":{"status":"submitted"}}`, string(b))
}

func TestSubmitSessionWithoutVerificationInResponse(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodPatch, testBase+"/v1/sessions/"+testSessionID, httpmock.NewStringResponder(200, `{"status":"success"}`))
	s, err := c.SubmitSession(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, testSessionID, s.ID)
}

func TestSubmitSessionNotRetriedOn500(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodPatch, testBase+"/v1/sessions/"+testSessionID, status(500))
	_, err := c.SubmitSession(context.Background(), testSessionID)
	require.ErrorIs(t, err, ErrServer)
	assert.Equal(t, 1, mt.GetTotalCallCount())
	assert.True(t, errors.Is(err, ErrServer))
}
