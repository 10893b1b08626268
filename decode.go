package veriff

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Lenient decoding, shared by every response and webhook.
//
// Bodies are decoded with encoding/json through unmarshalLenient: unknown
// keys are ignored and a member of an unexpected JSON type leaves its own
// field empty. The UnmarshalJSON methods of the payload types add, in the
// same single pass over their object, what encoding/json lacks: Raw, and the
// flex types below for the fields Veriff sends in more than one shape. None
// of them fails on a type mismatch, since an error from an UnmarshalJSON
// method would abort the decoding of everything around it.

// unmarshalLenient decodes the JSON data into v with encoding/json, which
// ignores unknown keys and, when a member's JSON type does not fit its Go
// field (a string for an int, an object for a list), leaves that field as
// it was, decodes the rest and reports only the first such
// *json.UnmarshalTypeError. unmarshalLenient drops that error, so a value
// of the wrong shape leaves only its own field empty. Syntax errors are
// returned, and so is a type error of the whole value (an array where v is
// a struct; Field is then empty): such a body is not the expected document.
// All response bodies go through it; use it for webhook bodies too.
func unmarshalLenient(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return nil
	}
	return err
}

// flexString decodes a JSON string or number into its string form, for
// fields Veriff has sent both ways (error codes, years). Any other value
// (null, a boolean, an object) decodes as "" without an error, since an
// error would abort the decoding of the object around it.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if json.Unmarshal(b, &n) != nil {
		n = ""
	}
	*f = flexString(n.String())
	return nil
}

// isJSONObject reports whether data, less leading white space, starts a
// JSON object.
func isJSONObject(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c == '{'
	}
	return false
}

// jsonKind names the kind of the JSON value data, for errors.
func jsonKind(data []byte) string {
	if len(data) == 0 {
		return "nothing"
	}
	switch data[0] {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// rawCopy returns a copy of data for a Raw field: encoding/json reuses the
// bytes it hands to UnmarshalJSON.
func rawCopy(data []byte) json.RawMessage {
	return append(json.RawMessage(nil), data...)
}

// jsonText returns the text of a JSON string (unquoted, trimmed) or number
// (as written); ok is false for any other value.
func jsonText(b []byte) (s string, ok bool) {
	if len(b) == 0 {
		return "", false
	}
	switch c := b[0]; {
	case c == '"':
		if n := len(b); n >= 2 && b[n-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			return strings.TrimSpace(string(b[1 : n-1])), true
		}
		if json.Unmarshal(b, &s) != nil {
			return "", false
		}
		return strings.TrimSpace(s), true
	case c == '-' || c >= '0' && c <= '9':
		return string(b), true
	}
	return "", false
}

// flexInt reads an integer sent as a JSON number or a string ("9001", 9001,
// 32.0). A fraction, null or any other value leaves it unset.
type flexInt struct {
	n  int
	ok bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	*f = flexInt{}
	s, ok := jsonText(b)
	if !ok || s == "" {
		return nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		*f = flexInt{n, true}
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err == nil && x == math.Trunc(x) && x >= math.MinInt && x <= math.MaxInt {
		*f = flexInt{int(x), true}
	}
	return nil
}

func (f flexInt) ptr() *int { return ptrIf(f.n, f.ok) }

// flexFloat reads a number sent as a JSON number or a string. NaN, the
// infinities, null or any other value leave it unset.
type flexFloat struct {
	f  float64
	ok bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	*f = flexFloat{}
	s, ok := jsonText(b)
	if !ok || s == "" {
		return nil
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(x) && !math.IsInf(x, 0) {
		*f = flexFloat{x, true}
	}
	return nil
}

func (f flexFloat) ptr() *float64 { return ptrIf(f.f, f.ok) }

// flexBool reads a boolean sent as true/false or as a string ("false").
// null or any other value leaves it unset.
type flexBool struct {
	b, ok bool
}

func (f *flexBool) UnmarshalJSON(b []byte) error {
	*f = flexBool{}
	switch s := string(b); s {
	case "true", "false":
		*f = flexBool{s == "true", true}
	default:
		if len(b) > 0 && b[0] == '"' {
			if t, ok := jsonText(b); ok {
				if v, err := strconv.ParseBool(t); err == nil {
					*f = flexBool{v, true}
				}
			}
		}
	}
	return nil
}

func (f flexBool) ptr() *bool { return ptrIf(f.b, f.ok) }

// flexTime reads a time in one of the layouts Veriff has been seen to send
// (timeLayouts). Anything else, "yesterday" or null, leaves it unset.
type flexTime struct {
	t  time.Time
	ok bool
}

// timeLayouts are the time formats accepted, RFC 3339 with any number of
// fractional digits first. Times without a zone are taken as UTC.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	dateLayout,
}

func (f *flexTime) UnmarshalJSON(b []byte) error {
	*f = flexTime{}
	if len(b) == 0 || b[0] != '"' {
		return nil
	}
	s, ok := jsonText(b)
	if !ok || s == "" {
		return nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			*f = flexTime{t, true}
			return nil
		}
	}
	return nil
}

func (f flexTime) ptr() *time.Time { return ptrIf(f.t, f.ok) }

// ptrIf returns a pointer to a copy of v when ok, else nil.
func ptrIf[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
}
