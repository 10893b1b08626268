package veriff

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
