package veriff

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	assert.Equal(t, GenderMale, p.Gender)
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
