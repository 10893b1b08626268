package verifftest

// This file holds the INE and CURP registry queries.

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/veriffgo/veriff"
)

// GET /v1/sessions/{id}/decision
func (s *Server) getDecision(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	body := ss.decision
	if body == nil {
		body = []byte(`{"status":"success","verification":null}`)
	}
	s.writeRaw(w, http.StatusOK, "application/json", body)
}

// GET /v1/sessions/{id}/decision/ine-registry?version=1.0.0
func (s *Server) ineRegistry(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	res := ineResult(ss)
	// The endpoint's body has no room for the registry's Status: its
	// top-level "status" would be the envelope's. The combined result has.
	res.Status = ""
	s.writeJSON(w, http.StatusOK, res)
}

type curpOut struct {
	StatusCurp string `json:"statusCurp"`
	Curp       string `json:"curp"`
}

func curpOf(ss *session) curpOut {
	st := "inactive"
	if ineResult(ss).Active {
		st = "active"
	}
	return curpOut{StatusCurp: st, Curp: curpFor(ss)}
}

// GET /v1/sessions/{id}/decision/curp-registry?version=1.0.0
func (s *Server) curpRegistry(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	s.writeJSON(w, http.StatusOK, curpOf(ss))
}

// GET /v1/sessions/{id}/decision/combined-ine-curp-registry?version=1.0.0
func (s *Server) combinedRegistry(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	s.writeJSON(w, http.StatusOK, struct {
		INE  veriff.INERegistryResult `json:"ine"`
		CURP curpOut                  `json:"curp"`
	}{ineResult(ss), curpOf(ss)})
}

// GET /v1/sessions/{id}/person
func (s *Server) person(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	p := personFor(ss)
	s.writeJSON(w, http.StatusOK, map[string]any{
		"status": "success",
		"person": map[string]any{
			"id":                 ss.id,
			"firstName":          p.FirstName,
			"lastName":           p.LastName,
			"dateOfBirth":        p.DateOfBirth,
			"gender":             p.Gender,
			"nationality":        p.Nationality,
			"idNumber":           p.IDNumber,
			"citizenship":        nil,
			"placeOfBirth":       p.PlaceOfBirth,
			"pepSanctionMatches": []any{},
		},
	})
}

// GET /v1/sessions/{id}/attempts
func (s *Server) listAttempts(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	type attemptOut struct {
		ID              string `json:"id"`
		Status          string `json:"status"`
		CreatedTime     string `json:"createdTime"`
		UserDefinedData []any  `json:"userDefinedData"`
	}
	out := struct {
		Status        string       `json:"status"`
		Verifications []attemptOut `json:"verifications"`
	}{Status: "success", Verifications: []attemptOut{}}
	for _, a := range ss.attempts {
		out.Verifications = append(out.Verifications, attemptOut{
			ID: a.id, Status: string(a.status), CreatedTime: formatTime(a.createdAt), UserDefinedData: []any{},
		})
	}
	s.writeJSON(w, http.StatusOK, out)
}

// GET /v1/sessions/{id}/watchlist-screening: always a clean result.
func (s *Server) watchlist(w http.ResponseWriter, _ *http.Request, _ []byte, ss *session) {
	p := personFor(ss)
	year := ""
	if len(p.DateOfBirth) >= 4 {
		year = p.DateOfBirth[:4]
	}
	s.writeJSON(w, http.StatusOK, map[string]any{
		"status": "success",
		"data": s.withWatchlistState(ss.id, map[string]any{
			"attemptId":   ss.attempts[len(ss.attempts)-1].id,
			"sessionId":   ss.id,
			"vendorData":  ss.vendorData,
			"endUserId":   ss.endUserID,
			"checkType":   "initial_result",
			"matchStatus": "no_match",
			"searchTerm":  map[string]any{"name": strings.TrimSpace(p.FirstName + " " + p.LastName), "year": year},
			"totalHits":   0,
			"createdAt":   formatTime(ss.createdAt),
			"hits":        []any{},
		}),
	})
}

// POST /v1/sessions/{id}/collected-data
func (s *Server) collectedData(w http.ResponseWriter, _ *http.Request, body []byte, ss *session) {
	var in struct {
		ProviderName *string `json:"providerName"`
		Network      *struct {
			IP *string `json:"ip"`
		} `json:"network"`
		Device *struct {
			Fingerprint *string `json:"fingerprint"`
		} `json:"device"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: the body is not a JSON object.")
		return
	}
	switch {
	case in.ProviderName == nil || *in.ProviderName == "":
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: providerName.")
		return
	case in.Network == nil || in.Network.IP == nil || net.ParseIP(*in.Network.IP) == nil:
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: network.ip.")
		return
	case in.Device == nil || in.Device.Fingerprint == nil || *in.Device.Fingerprint == "":
		s.fail(w, http.StatusBadRequest, "1102", "Mandatory parameters are missing from the request: device.fingerprint.")
		return
	case len(*in.ProviderName) > 255 || len(*in.Device.Fingerprint) > 255:
		s.fail(w, http.StatusBadRequest, "1104", "Request includes invalid parameters: longer than 255 characters.")
		return
	}
	if ss.status != veriff.StatusCreated && ss.status != veriff.StatusStarted {
		s.fail(w, http.StatusConflict, "1304", "Collected data is accepted only for created or started sessions.")
		return
	}
	ss.collected = append(ss.collected, append(json.RawMessage(nil), body...))
	s.writeSuccess(w)
}
