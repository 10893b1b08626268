package veriff

import (
	"context"
	"encoding/json"
	"time"
)

// PersonResult is the person data of GET /v1/sessions/{id}/person: what was
// extracted from the document or given at session creation, with the PEP
// and sanctions matches.
type PersonResult struct {
	// Status is the response status ("success").
	Status       string   `json:"status,omitempty"`
	ID           string   `json:"id,omitempty"`
	FirstName    string   `json:"firstName,omitempty"`
	LastName     string   `json:"lastName,omitempty"`
	IDCode       string   `json:"idCode,omitempty"`
	IDNumber     string   `json:"idNumber,omitempty"`
	DateOfBirth  string   `json:"dateOfBirth,omitempty"`
	Gender       Gender   `json:"gender,omitempty"`
	Nationality  string   `json:"nationality,omitempty"`
	PlaceOfBirth string   `json:"placeOfBirth,omitempty"`
	Citizenships []string `json:"citizenships,omitempty"`
	// PEPSanctionMatches is empty when the screening found nothing.
	PEPSanctionMatches []PEPSanctionMatch `json:"pepSanctionMatches"`
	// Raw is the person object as received, unknown keys included.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the person data leniently, keeping it in Raw.
func (p *PersonResult) UnmarshalJSON(data []byte) error { return decodeObject(data, p) }

// PEPSanctionMatch is one screening provider's result for the person.
type PEPSanctionMatch struct {
	Provider        string          `json:"provider,omitempty"`
	NumberOfMatches int             `json:"numberOfMatches" veriff:"flex"`
	Date            *time.Time      `json:"date,omitempty"`
	Matches         []PEPMatch      `json:"matches,omitempty"`
	Hits            []WatchlistHit  `json:"hits,omitempty"`
	Raw             json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the result leniently, keeping it in Raw:
// NumberOfMatches may be a string.
func (m *PEPSanctionMatch) UnmarshalJSON(data []byte) error { return decodeObject(data, m) }

// PEPMatch is a short summary of one match.
type PEPMatch struct {
	Name        string `json:"name,omitempty"`
	Nationality string `json:"nationality,omitempty"`
	Category    string `json:"category,omitempty"`
}

// Person returns the person data and PEP/sanctions matches of the session.
//
// Veriff API: GET /v1/sessions/{id}/person
func (c *Client) Person(ctx context.Context, sessionID string) (*PersonResult, error) {
	return getUnwrapped[*PersonResult, statusEnvelope[PersonResult, *PersonResult]](ctx, c, "/sessions/{sessionID}/person", sessionID)
}

func (p *PersonResult) setStatus(s string) { p.Status = s }
