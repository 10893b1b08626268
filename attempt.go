package veriff

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Attempt is one attempt of a session: each resubmission is a new attempt.
type Attempt struct {
	ID     string        `json:"id"`
	Status SessionStatus `json:"status"`
	// CreatedTime is when the attempt was created. Veriff does not document
	// the key's name: createdTime, then createdAt, created, createTime and
	// timestamp are accepted; Raw holds the object otherwise.
	CreatedTime *time.Time `json:"createdTime,omitempty"`
	// UserDefinedData holds custom statuses set in the Customer Portal.
	UserDefinedData []UserDefinedStatus `json:"userDefinedData,omitempty"`
	Raw             json.RawMessage     `json:"-"`
}

// UnmarshalJSON decodes an attempt leniently, keeping it in Raw.
func (a *Attempt) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, a)
}

// attemptTimeKeys are the other names Veriff may give createdTime.
var attemptTimeKeys = []string{"createdAt", "created", "createTime", "timestamp"}

// afterDecode takes CreatedTime from another key when createdTime is
// absent or unreadable.
func (a *Attempt) afterDecode(obj []byte) {
	for _, k := range attemptTimeKeys {
		if a.CreatedTime != nil {
			return
		}
		if v := memberValue(obj, k); v != nil {
			a.CreatedTime = ptrIf(flexTime(v))
		}
	}
}

// UserDefinedStatus is a custom status set on an attempt in the Customer
// Portal. ReasonCode is nil when the reviewer typed a custom reason.
type UserDefinedStatus struct {
	Status     string     `json:"status,omitempty"`
	StatusCode string     `json:"statusCode,omitempty"`
	Reason     *string    `json:"reason"`
	ReasonCode *int       `json:"reasonCode" veriff:"flex"`
	CreatedAt  *time.Time `json:"createdAt,omitempty"`
}

// UnmarshalJSON decodes the status leniently: ReasonCode may be a string.
func (u *UserDefinedStatus) UnmarshalJSON(data []byte) error {
	if !isJSONObject(data) {
		return nil
	}
	return decodeLenient(data, u)
}

// Attempts lists the session's attempts, oldest first as Veriff sends them.
// Use an attempt ID with AttemptMedia to reach an older attempt's media.
//
// Veriff API: GET /v1/sessions/{id}/attempts
func (c *Client) Attempts(ctx context.Context, sessionID string) ([]Attempt, error) {
	r, err := newRequest(http.MethodGet, "/sessions/{sessionID}/attempts", sessionID)
	if err != nil {
		return nil, err
	}
	var env struct {
		Status        string    `json:"status"`
		Verifications []Attempt `json:"verifications"`
	}
	if err := c.do(ctx, r, &env); err != nil {
		return nil, err
	}
	if env.Verifications == nil {
		env.Verifications = []Attempt{}
	}
	return env.Verifications, nil
}
