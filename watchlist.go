package veriff

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// CheckType says whether a watchlist screening is the first result or an
// update from ongoing monitoring (WatchlistScreening.CheckType; an open set).
type CheckType string

// The check types Veriff documents.
const (
	CheckTypeInitialResult CheckType = "initial_result"
	CheckTypeUpdatedResult CheckType = "updated_result"
)

// MatchStatus says whether a watchlist screening found possible matches
// (WatchlistScreening.MatchStatus; an open set).
type MatchStatus string

// The match statuses Veriff documents.
const (
	MatchStatusPossibleMatch MatchStatus = "possible_match"
	MatchStatusNoMatch       MatchStatus = "no_match"
)

// WatchlistScreening is a PEP and sanctions screening result: the data
// object of GET /v1/sessions/{id}/watchlist-screening, and the body of the
// watchlist-screening webhook, which has the same fields at the top level.
// Decode a webhook body with json.Unmarshal.
type WatchlistScreening struct {
	// Status is the response status ("success") of the GET endpoint; empty
	// in webhooks.
	Status     string `json:"status,omitempty"`
	AttemptID  string `json:"attemptId,omitempty"`
	SessionID  string `json:"sessionId,omitempty"`
	VendorData string `json:"vendorData"`
	EndUserID  string `json:"endUserId"`
	// CheckType is CheckTypeInitialResult or CheckTypeUpdatedResult.
	CheckType CheckType `json:"checkType,omitempty"`
	// MatchStatus is MatchStatusPossibleMatch or MatchStatusNoMatch.
	MatchStatus MatchStatus          `json:"matchStatus,omitempty"`
	SearchTerm  *WatchlistSearchTerm `json:"searchTerm,omitempty"`
	TotalHits   int                  `json:"totalHits" veriff:"flex"`
	CreatedAt   *time.Time           `json:"createdAt,omitempty"`
	Hits        []WatchlistHit       `json:"hits,omitempty"`
	// MonitorStatus says whether ongoing monitoring is on for the session.
	MonitorStatus string `json:"monitorStatus,omitempty"`
	// ReviewStatus is no_match, potential_match or reviewed.
	ReviewStatus string `json:"reviewStatus,omitempty"`
	// Raw is the screening object as received.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a screening result leniently, keeping it in Raw.
func (w *WatchlistScreening) UnmarshalJSON(data []byte) error { return decodeObject(data, w) }

// WatchlistSearchTerm is what was screened. The enhanced AML solution adds
// the list, country and matching settings.
type WatchlistSearchTerm struct {
	Name string `json:"name,omitempty"`
	// Year is the year of birth; a string since Veriff sends it either way.
	Year            string          `json:"year,omitempty" veriff:"flex"`
	Lists           []string        `json:"lists,omitempty"`
	Countries       []string        `json:"countries,omitempty"`
	ExactMatch      *bool           `json:"exactMatch,omitempty"`
	MatchThreshold  *float64        `json:"matchThreshold,omitempty" veriff:"flex"`
	ExcludeDeceased *bool           `json:"excludeDeceased,omitempty"`
	Raw             json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the search term leniently, keeping it in Raw: Year
// may be a number, MatchThreshold a string.
func (s *WatchlistSearchTerm) UnmarshalJSON(data []byte) error { return decodeObject(data, s) }

// WatchlistHit is one matched record. Its fields vary by provider: the common
// ones are typed, and Raw holds the whole hit.
type WatchlistHit struct {
	ID          string   `json:"id,omitempty"`
	MatchedName string   `json:"matchedName,omitempty"`
	Countries   []string `json:"countries,omitempty"`
	DateOfBirth string   `json:"dateOfBirth,omitempty" veriff:"flex"`
	DateOfDeath string   `json:"dateOfDeath,omitempty" veriff:"flex"`
	MatchTypes  []string `json:"matchTypes,omitempty"`
	AKA         []string `json:"aka,omitempty"`
	Score       *float64 `json:"score,omitempty" veriff:"flex"`
	// Associates and ListingsRelatedToMatch are kept raw.
	Associates             json.RawMessage `json:"associates,omitempty"`
	ListingsRelatedToMatch json.RawMessage `json:"listingsRelatedToMatch,omitempty"`
	Raw                    json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the hit leniently, keeping it in Raw: the dates
// may be numbers (years), Score a string.
func (h *WatchlistHit) UnmarshalJSON(data []byte) error { return decodeObject(data, h) }

// WatchlistScreening returns the session's PEP and sanctions screening
// result (Veriff's PEP and Sanctions service only).
//
// Veriff API: GET /v1/sessions/{id}/watchlist-screening
func (c *Client) WatchlistScreening(ctx context.Context, sessionID string) (*WatchlistScreening, error) {
	return getUnwrapped[*WatchlistScreening, statusEnvelope[WatchlistScreening, *WatchlistScreening]](ctx, c, "/sessions/{sessionID}/watchlist-screening", sessionID)
}

func (w *WatchlistScreening) setStatus(s string) { w.Status = s }

// HitMatchStatus is a reviewer's verdict on one watchlist hit, sent with
// ReviewWatchlistHit. The type is open.
type HitMatchStatus string

// Match statuses of a watchlist hit. Veriff's default is HitPotentialMatch.
const (
	HitFalsePositive  HitMatchStatus = "false_positive"
	HitPotentialMatch HitMatchStatus = "potential_match"
	HitTrueMatch      HitMatchStatus = "true_match"
	HitInconclusive   HitMatchStatus = "inconclusive"
)

// RiskLevel is the risk a reviewer gives a true-match hit. The type is open.
type RiskLevel string

// Risk levels of a true-match watchlist hit.
const (
	RiskLevelLow  RiskLevel = "low"
	RiskLevelHigh RiskLevel = "high"
)

// MonitorStatusDisabled is the WatchlistUpdate.MonitorStatus that stops
// ongoing monitoring.
const MonitorStatusDisabled = "disabled"

// WatchlistHitReview is the review of one hit of a screening (its ID from
// WatchlistScreening's Hits). Set at least one of MatchStatus, RiskLevel and
// Whitelisted.
type WatchlistHitReview struct {
	// HitID is the hit's id.
	HitID string `json:"id"`
	// MatchStatus is the reviewer's verdict; empty leaves it unchanged.
	MatchStatus HitMatchStatus `json:"matchStatus,omitempty"`
	// RiskLevel is allowed only on a true_match hit: it is refused before
	// sending when MatchStatus is set to anything else, and answered 400
	// (ErrBadRequest) by Veriff when MatchStatus is empty and the hit is not
	// already a true match.
	RiskLevel RiskLevel `json:"riskLevel,omitempty"`
	// Whitelisted whitelists (true) or un-whitelists (false) the hit; nil
	// leaves it unchanged.
	Whitelisted *bool `json:"isWhitelisted,omitempty"`
}

// WatchlistUpdate is one PATCH of a session's screening. Veriff allows
// exactly one operation per request (more is a 400), so exactly one field
// must be set: UpdateWatchlistScreening refuses anything else before
// sending.
type WatchlistUpdate struct {
	// MonitorStatus changes ongoing monitoring: MonitorStatusDisabled stops it.
	MonitorStatus string `json:"monitorStatus,omitempty"`
	// Hit reviews one hit.
	Hit *WatchlistHitReview `json:"hit,omitempty"`
}

// UpdateWatchlistScreening applies one operation to the session's PEP and
// sanctions screening. It is signed over the exact body. The typed methods
// DisableWatchlistMonitoring, ReviewWatchlistHit, WhitelistWatchlistHit and
// SetWatchlistHitRiskLevel cover the known operations.
//
// Veriff API: PATCH /v1/sessions/{id}/watchlist-screening
func (c *Client) UpdateWatchlistScreening(ctx context.Context, sessionID string, u WatchlistUpdate) error {
	return c.sendValid(ctx, http.MethodPatch, "/sessions/{sessionID}/watchlist-screening", sessionID, &u)
}

// Validate reports, wrapping ErrInvalidInput, what Veriff would refuse
// with a 400 that can be known without asking it: no operation or more than
// one, a hit without ID or change, and a risk level on a hit being set to
// anything but true_match.
func (u *WatchlistUpdate) Validate() error {
	switch n := countOps(u); {
	case n == 0:
		return invalidInput("WatchlistUpdate", "no operation: set MonitorStatus or Hit")
	case n > 1:
		return invalidInput("WatchlistUpdate", "%d operations: Veriff accepts exactly one per request", n)
	}
	if u.MonitorStatus != "" && !plainToken(u.MonitorStatus) {
		return invalidInput("WatchlistUpdate.MonitorStatus", "must be a plain value such as %q", MonitorStatusDisabled)
	}
	if h := u.Hit; h != nil {
		if strings.TrimSpace(h.HitID) == "" || hasControl(h.HitID) || len(h.HitID) > 256 {
			return invalidInput("WatchlistHitReview.HitID", "empty, too long or contains control characters")
		}
		if h.MatchStatus == "" && h.RiskLevel == "" && h.Whitelisted == nil {
			return invalidInput("WatchlistHitReview", "nothing to change: set MatchStatus, RiskLevel or Whitelisted")
		}
		if h.MatchStatus != "" && !plainToken(string(h.MatchStatus)) {
			return invalidInput("WatchlistHitReview.MatchStatus", "must be a value such as %q", HitTrueMatch)
		}
		if h.RiskLevel != "" && !plainToken(string(h.RiskLevel)) {
			return invalidInput("WatchlistHitReview.RiskLevel", "must be a value such as %q", RiskLevelHigh)
		}
		if h.RiskLevel != "" && h.MatchStatus != "" && h.MatchStatus != HitTrueMatch {
			return invalidInput("WatchlistHitReview.RiskLevel", "allowed only on a %s hit, not %s", HitTrueMatch, h.MatchStatus)
		}
	}
	return nil
}

func countOps(u *WatchlistUpdate) int {
	n := 0
	if u.MonitorStatus != "" {
		n++
	}
	if u.Hit != nil {
		n++
	}
	return n
}

// plainToken reports whether s looks like an enum value: lowercase letters,
// digits and '_' or '-', at most 64 bytes.
func plainToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// DisableWatchlistMonitoring stops the ongoing PEP and sanctions monitoring
// of a session (WatchlistScreening then shows monitorStatus "disabled").
//
// Veriff API: PATCH /v1/sessions/{id}/watchlist-screening {"monitorStatus":"disabled"}
func (c *Client) DisableWatchlistMonitoring(ctx context.Context, sessionID string) error {
	return c.UpdateWatchlistScreening(ctx, sessionID, WatchlistUpdate{MonitorStatus: MonitorStatusDisabled})
}

// ReviewWatchlistHit records a reviewer's verdict on one hit of the
// session's screening (see WatchlistHitReview for what is refused before
// sending and what Veriff answers 400).
//
// Veriff API: PATCH /v1/sessions/{id}/watchlist-screening {"hit":{...}}
func (c *Client) ReviewWatchlistHit(ctx context.Context, sessionID string, review WatchlistHitReview) error {
	return c.UpdateWatchlistScreening(ctx, sessionID, WatchlistUpdate{Hit: &review})
}

// WhitelistWatchlistHit whitelists one hit of the session's screening, so
// that monitoring no longer reports it.
//
// Veriff API: PATCH /v1/sessions/{id}/watchlist-screening {"hit":{"id":…,"isWhitelisted":true}}
func (c *Client) WhitelistWatchlistHit(ctx context.Context, sessionID, hitID string) error {
	yes := true
	return c.ReviewWatchlistHit(ctx, sessionID, WatchlistHitReview{HitID: hitID, Whitelisted: &yes})
}

// SetWatchlistHitRiskLevel sets the risk level of a hit already reviewed as
// a true match. Whether it is one cannot be known locally: Veriff answers
// 400 (ErrBadRequest) for a hit that is not true_match. To review and set
// the level at once, use ReviewWatchlistHit with MatchStatus HitTrueMatch.
//
// Veriff API: PATCH /v1/sessions/{id}/watchlist-screening {"hit":{"id":…,"riskLevel":…}}
func (c *Client) SetWatchlistHitRiskLevel(ctx context.Context, sessionID, hitID string, level RiskLevel) error {
	if level == "" {
		return invalidInput("level", "empty risk level")
	}
	return c.ReviewWatchlistHit(ctx, sessionID, WatchlistHitReview{HitID: hitID, RiskLevel: level})
}
