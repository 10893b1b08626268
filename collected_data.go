package veriff

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"
)

// CollectedData is device and network data gathered by a fingerprinting
// provider, sent with SendCollectedData. ProviderName, Network.IP and
// Device.Fingerprint are mandatory; leave everything else empty when unknown.
type CollectedData struct {
	// ProviderName names the fingerprinting service, at most 255 characters.
	ProviderName string           `json:"providerName"`
	Network      CollectedNetwork `json:"network"`
	Device       CollectedDevice  `json:"device"`
	Person       *CollectedPerson `json:"person,omitempty"`
	// Extra adds further top-level keys Veriff accepts (a "browser" block,
	// ...). It never overrides the fields above.
	Extra map[string]any `json:"-"`
}

// CollectedNetwork is the network block of CollectedData.
type CollectedNetwork struct {
	// IP is the end-user's IPv4 or IPv6 address.
	IP string `json:"ip"`
	// Extra adds further network keys; it never overrides IP.
	Extra map[string]any `json:"-"`
}

// CollectedDevice is the device block of CollectedData.
type CollectedDevice struct {
	// Fingerprint is the provider's device fingerprint, at most 255
	// characters.
	Fingerprint string `json:"fingerprint"`
	// Extra adds further device keys; it never overrides Fingerprint.
	Extra map[string]any `json:"-"`
}

// CollectedPerson is the person block of CollectedData.
type CollectedPerson struct {
	Email string `json:"email,omitempty"`
	// PhoneNumber holds digits and spaces, with an optional leading "+".
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// MarshalJSON adds Extra to the object.
func (d CollectedData) MarshalJSON() ([]byte, error) {
	type plain CollectedData
	return marshalWithExtra(plain(d), d.Extra)
}

// MarshalJSON adds Extra to the object.
func (n CollectedNetwork) MarshalJSON() ([]byte, error) {
	type plain CollectedNetwork
	return marshalWithExtra(plain(n), n.Extra)
}

// MarshalJSON adds Extra to the object.
func (d CollectedDevice) MarshalJSON() ([]byte, error) {
	type plain CollectedDevice
	return marshalWithExtra(plain(d), d.Extra)
}

func marshalWithExtra(v any, extra map[string]any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, x := range extra {
		if _, taken := m[k]; taken {
			continue
		}
		xb, err := json.Marshal(x)
		if err != nil {
			return nil, err
		}
		m[k] = xb
	}
	return json.Marshal(m)
}

// Validate checks the mandatory fields as SendCollectedData does before
// sending. The error wraps ErrInvalidInput.
func (d *CollectedData) Validate() error {
	switch n := utf8.RuneCountInString(d.ProviderName); {
	case strings.TrimSpace(d.ProviderName) == "":
		return invalidInput("ProviderName", "empty")
	case n > 255:
		return invalidInput("ProviderName", "%d characters, more than 255", n)
	}
	if net.ParseIP(d.Network.IP) == nil {
		return invalidInput("Network.IP", "not an IPv4 or IPv6 address")
	}
	switch n := utf8.RuneCountInString(d.Device.Fingerprint); {
	case strings.TrimSpace(d.Device.Fingerprint) == "":
		return invalidInput("Device.Fingerprint", "empty")
	case n > 255:
		return invalidInput("Device.Fingerprint", "%d characters, more than 255", n)
	}
	if p := d.Person; p != nil && p.PhoneNumber != "" {
		for i, r := range p.PhoneNumber {
			if !(r >= '0' && r <= '9' || r == ' ' || (r == '+' && i == 0)) {
				return invalidInput("Person.PhoneNumber", "only digits, spaces and a leading + are allowed")
			}
		}
	}
	return nil
}

// SendCollectedData sends device and network data from a fingerprinting
// provider to improve fraud detection. The session must be created or
// started. The data is validated first (see CollectedData.Validate).
//
// Veriff API: POST /v1/sessions/{id}/collected-data
func (c *Client) SendCollectedData(ctx context.Context, sessionID string, data CollectedData) error {
	return c.sendValid(ctx, http.MethodPost, "/sessions/{sessionID}/collected-data", sessionID, &data)
}
