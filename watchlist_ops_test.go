package veriff

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWatchlistPatchWire(t *testing.T) {
	yes := true
	tests := []struct {
		name string
		call func(c *Client) error
		want string
	}{
		{"disable monitoring", func(c *Client) error {
			return c.DisableWatchlistMonitoring(context.Background(), testSessionID)
		}, `{"monitorStatus":"disabled"}`},
		{"whitelist a hit", func(c *Client) error {
			return c.WhitelistWatchlistHit(context.Background(), testSessionID, "hit-1")
		}, `{"hit":{"id":"hit-1","isWhitelisted":true}}`},
		{"set a risk level", func(c *Client) error {
			return c.SetWatchlistHitRiskLevel(context.Background(), testSessionID, "hit-2", RiskLevelHigh)
		}, `{"hit":{"id":"hit-2","riskLevel":"high"}}`},
		{"review as true match with a level", func(c *Client) error {
			return c.ReviewWatchlistHit(context.Background(), testSessionID, WatchlistHitReview{HitID: "hit-3", MatchStatus: HitTrueMatch, RiskLevel: RiskLevelLow, Whitelisted: &yes})
		}, `{"hit":{"id":"hit-3","matchStatus":"true_match","riskLevel":"low","isWhitelisted":true}}`},
		{"review as false positive", func(c *Client) error {
			return c.ReviewWatchlistHit(context.Background(), testSessionID, WatchlistHitReview{HitID: "hit-4", MatchStatus: HitFalsePositive})
		}, `{"hit":{"id":"hit-4","matchStatus":"false_positive"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			rec := newRecorder(mt, reply(200, fixture(t, "api/watchlist_patch.json")))
			require.NoError(t, tt.call(c))
			got := rec.last(t)
			assert.Equal(t, http.MethodPatch, got.method)
			assert.Equal(t, "/v1/sessions/"+testSessionID+"/watchlist-screening", got.path)
			assert.Equal(t, tt.want, string(got.body))
			assert.Equal(t, testAPIKey, got.header.Get("X-AUTH-CLIENT"))
			assert.Equal(t, Sign(testSecret, got.body), got.header.Get("X-HMAC-SIGNATURE"))
			assert.Equal(t, "application/json", got.header.Get("Content-Type"))
		})
	}
}

func TestWatchlistPatchRefusedBeforeSending(t *testing.T) {
	no := false
	tests := []struct {
		name string
		call func(c *Client) error
		want string
	}{
		{"bad session ID", func(c *Client) error { return c.DisableWatchlistMonitoring(context.Background(), "a/b") }, "sessionID"},
		{"no operation", func(c *Client) error {
			return c.UpdateWatchlistScreening(context.Background(), testSessionID, WatchlistUpdate{})
		}, "no operation"},
		{"two operations", func(c *Client) error {
			return c.UpdateWatchlistScreening(context.Background(), testSessionID, WatchlistUpdate{MonitorStatus: MonitorStatusDisabled, Hit: &WatchlistHitReview{HitID: "h", Whitelisted: &no}})
		}, "exactly one"},
		{"empty hit ID", func(c *Client) error { return c.WhitelistWatchlistHit(context.Background(), testSessionID, " ") }, "HitID"},
		{"nothing to change", func(c *Client) error {
			return c.ReviewWatchlistHit(context.Background(), testSessionID, WatchlistHitReview{HitID: "h"})
		}, "nothing to change"},
		{"risk level on a false positive", func(c *Client) error {
			return c.ReviewWatchlistHit(context.Background(), testSessionID, WatchlistHitReview{HitID: "h", MatchStatus: HitFalsePositive, RiskLevel: RiskLevelHigh})
		}, "only on a true_match"},
		{"risk level on a potential match", func(c *Client) error {
			return c.ReviewWatchlistHit(context.Background(), testSessionID, WatchlistHitReview{HitID: "h", MatchStatus: HitPotentialMatch, RiskLevel: RiskLevelLow})
		}, "only on a true_match"},
		{"empty risk level", func(c *Client) error {
			return c.SetWatchlistHitRiskLevel(context.Background(), testSessionID, "h", "")
		}, "empty risk level"},
		{"malformed risk level", func(c *Client) error {
			return c.SetWatchlistHitRiskLevel(context.Background(), testSessionID, "h", "High Risk")
		}, "RiskLevel"},
		{"malformed monitor status", func(c *Client) error {
			return c.UpdateWatchlistScreening(context.Background(), testSessionID, WatchlistUpdate{MonitorStatus: "Off\n"})
		}, "MonitorStatus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mt := setup(t)
			err := tt.call(c)
			require.ErrorIs(t, err, ErrInvalidInput)
			assert.Contains(t, err.Error(), tt.want)
			assert.Zero(t, mt.GetTotalCallCount())
		})
	}
}

func TestWatchlistPatchVeriff400(t *testing.T) {
	c, mt := setup(t)
	newRecorder(mt, reply(400, fixture(t, "api/watchlist_patch_400.json")))
	err := c.SetWatchlistHitRiskLevel(context.Background(), testSessionID, "hit-9", RiskLevelHigh)
	require.ErrorIs(t, err, ErrBadRequest)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "1104", ae.Code)
	assert.Equal(t, 1, mt.GetTotalCallCount(), "a PATCH answered 400 is not retried")
}
