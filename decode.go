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
	"unsafe"
)

// The pieces of lenient decoding (see decodeLenient in lenient.go): the
// conversions of the fields Veriff sends in more than one JSON type, and a
// minimal scanner over validated JSON for the afterDecode methods.

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

// isJSONObject reports whether data, less leading white space, starts a
// JSON object.
func isJSONObject(data []byte) bool {
	i := skipSpace(data, 0)
	return i < len(data) && data[i] == '{'
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

// isNull reports whether data is the JSON null, white space around it.
func isNull(data []byte) bool {
	return string(bytes.TrimSpace(data)) == "null"
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

// The types fields tagged flex are decoded as, in place of string, int,
// int64, float64 and bool (and pointers to them): each accepts the value in
// another JSON type too. null leaves the value as it is; a value that does
// not fit is an error, and decodeLenient then leaves the field zero (a
// pointer nil).
type (
	lenientString  string
	lenientInt     int
	lenientInt64   int64
	lenientFloat64 float64
	lenientBool    bool
)

// flexMethods decodes each type as its flexible stand-in (string is
// decoded by the scanner itself: kFlexStr).
var flexMethods = map[reflect.Type]func([]byte, unsafe.Pointer) error{
	reflect.TypeFor[int]():     func(b []byte, p unsafe.Pointer) error { return (*lenientInt)(p).UnmarshalJSON(b) },
	reflect.TypeFor[int64]():   func(b []byte, p unsafe.Pointer) error { return (*lenientInt64)(p).UnmarshalJSON(b) },
	reflect.TypeFor[float64](): func(b []byte, p unsafe.Pointer) error { return (*lenientFloat64)(p).UnmarshalJSON(b) },
	reflect.TypeFor[bool]():    func(b []byte, p unsafe.Pointer) error { return (*lenientBool)(p).UnmarshalJSON(b) },
}

var errNoFit = errors.New("veriff: value does not fit")

// UnmarshalJSON takes a string, or a number as written.
func (s *lenientString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) == 0:
		return errNoFit
	case b[0] == '"':
		if n := len(b); n >= 2 && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			*s = lenientString(b[1 : n-1])
			return nil
		}
		return json.Unmarshal(b, (*string)(s))
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*s = lenientString(b)
		return nil
	case b[0] == 'n':
		return nil
	}
	return errNoFit
}

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

// The scanner below reads JSON that decodeLenient has already validated
// (for afterDecode methods): it finds where values end, and never decodes
// them.

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
			continue
		}
		break
	}
	return i
}

// skipString returns the end of the string starting at data[i] ('"').
func skipString(data []byte, i int) int {
	i++
	for {
		j := bytes.IndexByte(data[i:], '"')
		if j < 0 {
			return len(data)
		}
		i += j
		bs := 0
		for k := i - 1; k >= 0 && data[k] == '\\'; k-- {
			bs++
		}
		i++
		if bs%2 == 0 {
			return i
		}
	}
}

// skipValue returns the end of the value starting at data[i].
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// forMembers calls f with each key (raw, without quotes) of the object
// starting at data[i] and the offset of its value; f returns the end of the
// value. forMembers returns the end of the object.
func forMembers(data []byte, i int, f func(key []byte, j int) int) int {
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != '}' {
		end := skipString(data, i)
		key := data[i+1 : end-1]
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // ':'
		i = skipSpace(data, f(key, i))
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return i + 1
}

// forElements is forMembers for the elements of an array.
func forElements(data []byte, i int, f func(j int) int) int {
	i = skipSpace(data, i+1)
	for i < len(data) && data[i] != ']' {
		i = skipSpace(data, f(i))
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	return i + 1
}

// eachMember calls f with each key (raw) and value of the object obj.
func eachMember(obj []byte, f func(key, val []byte)) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	forMembers(obj, i, func(key []byte, j int) int {
		end := skipValue(obj, j)
		f(unescapedKey(key), obj[j:end])
		return end
	})
}

// unescapedKey returns a raw key as encoding/json reads it: escapes
// resolved, invalid UTF-8 replaced.
func unescapedKey(key []byte) []byte {
	if !hasEscape(key) && utf8.Valid(key) {
		return key
	}
	return unquote(key)
}

// ptrIf returns a pointer to a copy of v when ok, else nil.
func ptrIf[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
}

// memberValue returns the value of key in the JSON object obj (the exact
// key, else the first matching it without regard to case), or nil.
func memberValue(obj []byte, key string) []byte {
	var exact, folded []byte
	eachMember(obj, func(k, val []byte) {
		switch {
		case exact == nil && string(k) == key:
			exact = val
		case folded == nil && bytes.EqualFold(k, []byte(key)):
			folded = val
		}
	})
	if exact != nil {
		return exact
	}
	return folded
}
