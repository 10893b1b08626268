// Package ids makes the random identifiers the SDK's parts hand out in the
// shape of Veriff's IDs. It is used by verifftest (session, attempt and
// media IDs) and cmd/veriff (IDs of sample webhooks).
package ids

import (
	"crypto/rand"
	"fmt"
)

// NewUUID returns a random UUID, version 4 (RFC 9562), in its canonical
// lower-case 36-character form: the shape of Veriff's IDs. Its 122 random
// bits come from crypto/rand.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
