package veriff

// STUB: owned by the sessions work; expand freely, keep the names.

// SessionStatus is the status of a session or decision as Veriff sends it.
// The type is open: Veriff may send values without a constant here.
type SessionStatus string

// Session statuses.
const (
	StatusCreated               SessionStatus = "created"
	StatusStarted               SessionStatus = "started"
	StatusSubmitted             SessionStatus = "submitted"
	StatusApproved              SessionStatus = "approved"
	StatusDeclined              SessionStatus = "declined"
	StatusResubmissionRequested SessionStatus = "resubmission_requested"
	StatusExpired               SessionStatus = "expired"
	StatusAbandoned             SessionStatus = "abandoned"
	StatusReview                SessionStatus = "review"
)

// Decision is the answer of GET /v1/sessions/{id}/decision and the body of a
// decision webhook.
type Decision struct {
	Status        string         `json:"status"`
	Verification  *Verification  `json:"verification"`
	TechnicalData *TechnicalData `json:"technicalData,omitempty"`
}

// Verification is the decided session inside a Decision.
type Verification struct {
	ID        string        `json:"id"`
	AttemptID string        `json:"attemptId"`
	Status    SessionStatus `json:"status"`
	Code      int           `json:"code"`
}

// TechnicalData holds technical facts of the session.
type TechnicalData struct {
	IP *string `json:"ip"`
}

// WatchlistScreening is the PEP and sanctions screening result.
type WatchlistScreening struct {
	Status string `json:"status"`
}
