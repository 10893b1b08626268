package veriff

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
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

func TestSendCollectedDataValidation(t *testing.T) {
	valid := func() CollectedData {
		return CollectedData{ProviderName: "p", Network: CollectedNetwork{IP: "2001:db8::1"}, Device: CollectedDevice{Fingerprint: "f"}}
	}
	tests := []struct {
		name   string
		mutate func(d *CollectedData)
		field  string
	}{
		{"valid IPv6", func(*CollectedData) {}, ""},
		{"valid phone", func(d *CollectedData) { d.Person = &CollectedPerson{PhoneNumber: "+52 33 1234"} }, ""},
		{"provider missing", func(d *CollectedData) { d.ProviderName = " " }, "ProviderName"},
		{"provider too long", func(d *CollectedData) { d.ProviderName = strings.Repeat("p", 256) }, "ProviderName"},
		{"ip missing", func(d *CollectedData) { d.Network.IP = "" }, "Network.IP"},
		{"ip invalid", func(d *CollectedData) { d.Network.IP = "999.1.1.1" }, "Network.IP"},
		{"fingerprint missing", func(d *CollectedData) { d.Device.Fingerprint = "" }, "Device.Fingerprint"},
		{"fingerprint too long", func(d *CollectedData) { d.Device.Fingerprint = strings.Repeat("f", 256) }, "Device.Fingerprint"},
		{"phone letters", func(d *CollectedData) { d.Person = &CollectedPerson{PhoneNumber: "call me"} }, "Person.PhoneNumber"},
		{"phone plus inside", func(d *CollectedData) { d.Person = &CollectedPerson{PhoneNumber: "52+1"} }, "Person.PhoneNumber"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			mt.RegisterResponder(http.MethodPost, testBase+"/v1/sessions/"+testSessionID+"/collected-data",
				httpmock.NewBytesResponder(200, fixture(t, "sessions/collected_data_200.json")))
			d := valid()
			tt.mutate(&d)
			err := c.SendCollectedData(context.Background(), testSessionID, d)
			if tt.field == "" {
				require.NoError(t, err)
				assert.Equal(t, 1, mt.GetTotalCallCount())
				return
			}
			var ie *InputError
			require.ErrorAs(t, err, &ie)
			assert.ErrorIs(t, err, ErrInvalidInput)
			assert.Equal(t, tt.field, ie.Field)
			assert.Equal(t, 0, mt.GetTotalCallCount())
		})
	}
}

func TestCollectedDataExtra(t *testing.T) {
	d := CollectedData{
		ProviderName: "p",
		Network:      CollectedNetwork{IP: "10.0.0.1", Extra: map[string]any{"isp": "Telmex", "ip": "ignored"}},
		Device:       CollectedDevice{Fingerprint: "f", Extra: map[string]any{"os": "Android"}},
		Extra:        map[string]any{"browser": map[string]any{"userAgent": "Mozilla/5.0"}, "providerName": "ignored"},
	}
	b, err := json.Marshal(d)
	require.NoError(t, err)
	assert.JSONEq(t, `{"providerName":"p","network":{"ip":"10.0.0.1","isp":"Telmex"},"device":{"fingerprint":"f","os":"Android"},"browser":{"userAgent":"Mozilla/5.0"}}`, string(b))
}

func TestSessionErrorShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		method   string
		path     string
		call     func(c *Client) error
		status   int
		fixture  string
		sentinel error
		code     string
		message  string
	}{
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
	for _, tt := range tests {
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
	assert.Equal(t, "F", p.Gender)
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

func TestPerson(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/person",
		httpmock.NewBytesResponder(200, fixture(t, "sessions/person_200.json")))
	p, err := c.Person(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, "success", p.Status)
	assert.Equal(t, "6fd37f1f-2e0e-4c8d-9a6b-1b1f4d0c7a55", p.ID)
	assert.Equal(t, "JUAN", p.FirstName)
	assert.Equal(t, "PEREZ", p.LastName)
	assert.Equal(t, "PEGJ600101HDFRRN05", p.IDCode)
	assert.Equal(t, "1960-01-01", p.DateOfBirth)
	assert.Equal(t, "M", p.Gender)
	assert.Equal(t, "MX", p.Nationality)
	assert.Equal(t, "CIUDAD DE MEXICO", p.PlaceOfBirth)
	assert.Equal(t, []string{"MX"}, p.Citizenships)
	require.Len(t, p.PEPSanctionMatches, 1)
	m := p.PEPSanctionMatches[0]
	assert.Equal(t, "Comply Advantage", m.Provider)
	assert.Equal(t, 1, m.NumberOfMatches, `"1" as a string still decodes`)
	require.NotNil(t, m.Date)
	assert.True(t, m.Date.Equal(time.Date(2024, 1, 1, 10, 0, 0, 123_000_000, time.UTC)))
	assert.Equal(t, []PEPMatch{{Name: "Juan Perez", Nationality: "MX", Category: "PEP"}}, m.Matches)
	require.Len(t, m.Hits, 1)
	h := m.Hits[0]
	assert.Equal(t, "Juan Perez Gomez", h.MatchedName)
	assert.Equal(t, []string{"name_exact", "year_of_birth"}, h.MatchTypes)
	assert.Contains(t, string(h.Raw), "matchTypeDetails", "unknown hit keys stay in Raw")
	assert.Contains(t, string(p.Raw), "pepSanctionMatches")
}

func TestPersonEmpty(t *testing.T) {
	for _, body := range []string{`{"status":"success","person":null}`, `{"status":"success","person":{"pepSanctionMatches":[]}}`} {
		c, mt := setup(t)
		mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/person", httpmock.NewStringResponder(200, body))
		p, err := c.Person(context.Background(), testSessionID)
		require.NoError(t, err, body)
		assert.Equal(t, "success", p.Status)
		assert.Empty(t, p.PEPSanctionMatches)
	}
}

func TestAttempts(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/attempts",
		httpmock.NewBytesResponder(200, fixture(t, "sessions/attempts_200.json")))
	as, err := c.Attempts(context.Background(), testSessionID)
	require.NoError(t, err)
	require.Len(t, as, 2)

	assert.Equal(t, "a1c68aea-7f4d-478d-80ab-ca9356074f69", as[0].ID)
	assert.Equal(t, StatusResubmissionRequested, as[0].Status)
	assert.Empty(t, as[0].UserDefinedData)
	require.NotNil(t, as[0].CreatedTime)
	assert.True(t, as[0].CreatedTime.Equal(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)))

	assert.Equal(t, StatusApproved, as[1].Status)
	require.NotNil(t, as[1].CreatedTime, "createdAt is accepted for the undocumented timestamp key")
	assert.True(t, as[1].CreatedTime.Equal(time.Date(2024, 1, 2, 10, 30, 0, 0, time.UTC)))
	require.Len(t, as[1].UserDefinedData, 1)
	u := as[1].UserDefinedData[0]
	assert.Equal(t, "Escalated", u.Status)
	assert.Equal(t, "escalated_1", u.StatusCode)
	assert.Equal(t, ptr("Manual check requested"), u.Reason)
	assert.Nil(t, u.ReasonCode)
	require.NotNil(t, u.CreatedAt)
	assert.Contains(t, string(as[1].Raw), `"createdAt"`)
}

func TestAttemptsUnknownTimestampKey(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/attempts",
		httpmock.NewStringResponder(200, `{"status":"success","verifications":[{"id":"a","status":"created","madeOn":"2024-01-01T00:00:00Z"}]}`))
	as, err := c.Attempts(context.Background(), testSessionID)
	require.NoError(t, err)
	require.Len(t, as, 1)
	assert.Nil(t, as[0].CreatedTime)
	var raw map[string]string
	require.NoError(t, json.Unmarshal(as[0].Raw, &raw))
	assert.Equal(t, "2024-01-01T00:00:00Z", raw["madeOn"])
}

func TestAttemptsEmpty(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/attempts",
		httpmock.NewStringResponder(200, `{"status":"success"}`))
	as, err := c.Attempts(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.NotNil(t, as)
	assert.Empty(t, as)
}

func checkWatchlist(t *testing.T, w *WatchlistScreening) {
	t.Helper()
	assert.Equal(t, "aea9ba6d-1b47-47fc-a4fc-f72b6d3584a7", w.AttemptID)
	assert.Equal(t, testSessionID, w.SessionID)
	assert.Equal(t, "user-42", w.VendorData)
	assert.Empty(t, w.EndUserID)
	assert.Equal(t, CheckTypeInitialResult, w.CheckType)
	assert.Equal(t, MatchStatusPossibleMatch, w.MatchStatus)
	require.NotNil(t, w.SearchTerm)
	assert.Equal(t, "Juan Perez", w.SearchTerm.Name)
	assert.Equal(t, "1960", w.SearchTerm.Year, "a numeric year is kept as a string")
	assert.Equal(t, 1, w.TotalHits)
	require.NotNil(t, w.CreatedAt)
	assert.True(t, w.CreatedAt.Equal(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)))
	require.Len(t, w.Hits, 1)
	h := w.Hits[0]
	assert.Equal(t, "Juan Perez Gomez", h.MatchedName)
	assert.Equal(t, []string{"Mexico", "United States"}, h.Countries)
	assert.Equal(t, "1960", h.DateOfBirth)
	assert.Empty(t, h.DateOfDeath)
	assert.Equal(t, []string{"J. Perez", "Juanito Perez"}, h.AKA)
	assert.JSONEq(t, `[{"name":"Ana Perez","association":"spouse"}]`, string(h.Associates))
	assert.Contains(t, string(h.ListingsRelatedToMatch), "Mexico Senate")
	assert.Contains(t, string(h.Raw), "listingsRelatedToMatch")
	assert.Equal(t, "enabled", w.MonitorStatus)
	assert.Equal(t, "potential_match", w.ReviewStatus)
}

func TestWatchlistScreening(t *testing.T) {
	c, mt := setup(t)
	mt.RegisterResponder(http.MethodGet, testBase+"/v1/sessions/"+testSessionID+"/watchlist-screening",
		httpmock.NewBytesResponder(200, fixture(t, "sessions/watchlist_200.json")))
	w, err := c.WatchlistScreening(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, "success", w.Status)
	checkWatchlist(t, w)
	assert.NotContains(t, string(w.Raw), `"data"`, "Raw is the data object")
}

func TestWatchlistWebhookShape(t *testing.T) {
	// The webhook carries the GET response's data object at the top level.
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "sessions/watchlist_200.json"), &env))
	var w WatchlistScreening
	require.NoError(t, json.Unmarshal(env.Data, &w))
	assert.Empty(t, w.Status)
	checkWatchlist(t, &w)
	assert.JSONEq(t, string(env.Data), string(w.Raw))
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

func TestReasonCodeText(t *testing.T) {
	tests := map[int]string{
		102: "Suspected document tampering",
		106: "Known fraud",
		204: "Poor image quality",
		207: "Document expired",
		539: "Resubmission limit exceeded",
		533: "Person is under 18 years old",
		0:   "",
		999: "",
	}
	for code, want := range tests {
		assert.Equal(t, want, ReasonCodeText(code), code)
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

func TestUnmarshalLenient(t *testing.T) {
	type inner struct {
		N int `json:"n"`
	}
	type doc struct {
		A     int      `json:"a"`
		B     string   `json:"b"`
		In    inner    `json:"in"`
		List  []string `json:"list"`
		After string   `json:"after"`
	}
	tests := []struct {
		name    string
		body    string
		want    doc
		wantErr bool
	}{
		{"clean", `{"a":1,"b":"x","after":"z"}`, doc{A: 1, B: "x", After: "z"}, false},
		{"wrong types leave their own fields empty", `{"a":"1","b":2,"in":{"n":"x"},"list":{},"after":"z"}`, doc{After: "z"}, false},
		{"wrong element type", `{"list":["a",1,"c"],"after":"z"}`, doc{List: []string{"a", "", "c"}, After: "z"}, false},
		{"syntax error", `{"a":1,`, doc{}, true},
		{"array for an object", `[1]`, doc{}, true},
		{"string for an object", `"x"`, doc{}, true},
		{"null", `null`, doc{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got doc
			err := decodeLenient([]byte(tt.body), &got)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
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

func TestEnvelopesWithoutPayload(t *testing.T) {
	c, mt := setup(t)
	base := testBase + "/v1/sessions/" + testSessionID
	mt.RegisterResponder(http.MethodGet, base+"/person", httpmock.NewStringResponder(200, `{"status":"success","person":[]}`))
	mt.RegisterResponder(http.MethodGet, base+"/watchlist-screening", httpmock.NewStringResponder(200, `{"status":"success","data":null}`))
	p, err := c.Person(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, &PersonResult{Status: "success"}, p)
	w, err := c.WatchlistScreening(context.Background(), testSessionID)
	require.NoError(t, err)
	assert.Equal(t, &WatchlistScreening{Status: "success"}, w)
}
