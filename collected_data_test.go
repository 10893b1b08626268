package veriff

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
