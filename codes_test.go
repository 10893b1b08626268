package veriff

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReasonCodeText(t *testing.T) {
	tests := map[int]string{
		102: "Suspected document tampering",
		106: "Known fraud",
		204: "Poor image quality",
		207: "Document expired",
		539: "Resubmission limit exceeded",
		533: "Person is under 18 years old",
		0:   "",
		999: "",
	}
	for code, want := range tests {
		assert.Equal(t, want, ReasonCodeText(code), code)
	}
}
