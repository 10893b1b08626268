package veriff

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The conversions of the fields Veriff sends in more than one JSON type:
// the middle layer of decoding, used by decodeLenient (lenient.go) for
// fields tagged `veriff:"flex"` and by the afterDecode methods. It calls
// only the scanner (jsonscan.go) and encoding/json.

// flexString decodes a JSON string or number into its string form, for
// fields Veriff has sent both ways (error codes). Any other value (null, a
// boolean, an object) decodes as "" without an error, since an error would
// abort the decoding of the object around it.
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

// The types fields tagged flex are decoded as, in place of int, int64,
// float64 and bool (and pointers to them): each accepts the value in
// another JSON type too. null leaves the value as it is; a value that does
// not fit is an error, and decodeLenient then leaves the field zero (a
// pointer nil). A flex string takes a string or a number as written; the
// decoder reads it itself.
type (
	lenientInt     int
	lenientInt64   int64
	lenientFloat64 float64
	lenientBool    bool
)

// flexMethods decodes b into v, an addressable value of the key type, as
// the key type's flexible stand-in does.
var flexMethods = map[reflect.Type]func(b []byte, v reflect.Value) error{
	reflect.TypeFor[int](): func(b []byte, v reflect.Value) error {
		return (*lenientInt)(v.Addr().Interface().(*int)).UnmarshalJSON(b)
	},
	reflect.TypeFor[int64](): func(b []byte, v reflect.Value) error {
		return (*lenientInt64)(v.Addr().Interface().(*int64)).UnmarshalJSON(b)
	},
	reflect.TypeFor[float64](): func(b []byte, v reflect.Value) error {
		return (*lenientFloat64)(v.Addr().Interface().(*float64)).UnmarshalJSON(b)
	},
	reflect.TypeFor[bool](): func(b []byte, v reflect.Value) error {
		return (*lenientBool)(v.Addr().Interface().(*bool)).UnmarshalJSON(b)
	},
}

var errNoFit = errors.New("veriff: value does not fit")

// UnmarshalJSON takes a whole number, or a string holding one.
func (n *lenientInt) UnmarshalJSON(b []byte) error {
	x, err := lenientNumber(b)
	if err == nil && x != nil {
		*n = lenientInt(*x)
	}
	return err
}

// UnmarshalJSON takes a whole number, or a string holding one.
func (n *lenientInt64) UnmarshalJSON(b []byte) error {
	x, err := lenientNumber(b)
	if err == nil && x != nil {
		*n = lenientInt64(*x)
	}
	return err
}

// lenientNumber reads a whole number for lenientInt and lenientInt64; nil
// for null.
func lenientNumber(b []byte) (*int64, error) {
	if isNull(b) {
		return nil, nil
	}
	x, ok := flexInt(b)
	if !ok || x < math.MinInt || x > math.MaxInt {
		return nil, errNoFit
	}
	return &x, nil
}

// UnmarshalJSON takes a finite number, or a string holding one.
func (f *lenientFloat64) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s, ok := jsonText(b)
	if !ok || s == "" {
		return errNoFit
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return errNoFit
	}
	*f = lenientFloat64(x)
	return nil
}

// UnmarshalJSON takes true or false, or a string strconv.ParseBool reads.
func (v *lenientBool) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true", "false":
		*v = string(b) == "true"
		return nil
	case "null":
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		t, _ := jsonText(b)
		if x, err := strconv.ParseBool(t); err == nil {
			*v = lenientBool(x)
			return nil
		}
	}
	return errNoFit
}

// flexInt reads an integer sent as a JSON number or a string ("9001", 9001,
// 32.0, " 9001 "). A fraction or any other value does not fit.
func flexInt(b []byte) (int64, bool) {
	s, ok := jsonText(b)
	if !ok || s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	x, err := strconv.ParseFloat(s, 64)
	if err == nil && x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
		return int64(x), true
	}
	return 0, false
}

var timeType = reflect.TypeFor[time.Time]()

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

// flexTime reads a time in one of timeLayouts from a JSON string. Anything
// else, "yesterday" or null, does not fit.
func flexTime(b []byte) (time.Time, bool) {
	if len(b) == 0 || b[0] != '"' {
		return time.Time{}, false
	}
	s, ok := jsonText(b)
	if !ok || s == "" {
		return time.Time{}, false
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ptrIf returns a pointer to a copy of v when ok, else nil.
func ptrIf[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
}

// setJSONNumber decodes a json.Number: a number as written, or a string
// holding one.
func setJSONNumber(b []byte, n *json.Number) bool {
	switch {
	case b[0] == 'n':
		return true
	case b[0] == '"':
		d := decoder{data: b}
		s := d.text()
		if !validNumber([]byte(s)) {
			return false
		}
		*n = json.Number(s)
		return true
	case b[0] == '-' || '0' <= b[0] && b[0] <= '9':
		*n = json.Number(b)
		return true
	}
	return false
}
