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
