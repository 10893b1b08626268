package veriff

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON scanner, the bottom layer of decoding: one validating pass over
// the input, with the grammar and the string unescaping of encoding/json.
// lenient.go drives it along a type's plan; the afterDecode methods of the
// payload types read single members with eachMember and memberValue. It
// calls nothing of the other decoding files.

// maxDepth is how deeply arrays and objects may nest, as in encoding/json.
const maxDepth = 10000

// decoder is the state of one decodeLenient call: the input (a private
// copy when copied is set), the read offset and the nesting depth. A
// syntax error sets failed, after which every step returns at once.
type decoder struct {
	data   []byte
	i      int
	depth  int
	failed bool
	copied bool
}

// strPlain marks the bytes a string holds as they are: not '"', not '\\',
// not a control character, not the start of a multi-byte sequence.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// fail records a syntax error.
func (d *decoder) fail() { d.failed = true }

// ws skips white space.
func (d *decoder) ws() {
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\n', '\t', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the byte at the read offset, or 0 at the end (a syntax
// error wherever a value is expected).
func (d *decoder) peek() byte {
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

// str reads the string at the read offset ('"'); it returns its content as
// written and whether that needs unquoting (escapes, non-ASCII bytes).
func (d *decoder) str() (raw []byte, special bool) {
	data := d.data
	start := d.i + 1
	i := start
	for i < len(data) {
		c := data[i]
		if strPlain[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			d.i = i + 1
			return data[start:i], special
		case c == '\\':
			special = true
			i = d.escape(i)
			if d.failed {
				return nil, false
			}
		case c < 0x20:
			d.fail()
			return nil, false
		default:
			special = true
			i++
		}
	}
	d.fail()
	return nil, false
}

// escape validates the escape sequence at data[i] ('\\') and returns its
// end.
func (d *decoder) escape(i int) int {
	data := d.data
	if i+1 >= len(data) {
		d.fail()
		return i
	}
	switch data[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 2
	case 'u':
		if i+6 > len(data) || hex4(data[i+2:i+6]) < 0 {
			d.fail()
			return i
		}
		return i + 6
	}
	d.fail()
	return i
}

// text reads a string and returns its value as encoding/json decodes it.
func (d *decoder) text() string {
	raw, special := d.str()
	if !special {
		return string(raw)
	}
	if !hasEscape(raw) && utf8.Valid(raw) {
		return string(raw)
	}
	return string(unquote(raw))
}

func hasEscape(b []byte) bool {
	for _, c := range b {
		if c == '\\' {
			return true
		}
	}
	return false
}

// hex4 reads four hexadecimal digits; -1 if they are not.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}

// unquote resolves the escapes of a validated string's content and
// replaces invalid UTF-8 with U+FFFD, exactly as encoding/json does.
func unquote(s []byte) []byte {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch e := s[r+1]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := hex4(s[r+2:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if r+6 <= len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(s[r+2:])); dec != unicode.ReplacementChar {
							b = utf8.AppendRune(b, dec)
							r += 6
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default:
				b = append(b, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			r += size
			b = utf8.AppendRune(b, rr)
		}
	}
	return b
}

// number reads the number at the read offset and returns it as written.
func (d *decoder) number() []byte {
	data, start := d.data, d.i
	i := start
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		i = digits(data, i)
	default:
		d.fail()
		return nil
	}
	if i < len(data) && data[i] == '.' {
		if i+1 >= len(data) || data[i+1] < '0' || data[i+1] > '9' {
			d.fail()
			return nil
		}
		i = digits(data, i+1)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			d.fail()
			return nil
		}
		i = digits(data, i)
	}
	d.i = i
	return data[start:i]
}

func digits(data []byte, i int) int {
	for i < len(data) && '0' <= data[i] && data[i] <= '9' {
		i++
	}
	return i
}

// validNumber reports whether s is a JSON number (json.Number's rule).
func validNumber(s []byte) bool {
	d := decoder{data: s}
	d.number()
	return !d.failed && d.i == len(s)
}

// literal reads true, false or null; lit is the word expected.
func (d *decoder) literal(lit string) {
	if len(d.data)-d.i < len(lit) || string(d.data[d.i:d.i+len(lit)]) != lit {
		d.fail()
		return
	}
	d.i += len(lit)
}

// skip validates the value at the read offset and moves past it.
func (d *decoder) skip() {
	switch d.peek() {
	case '"':
		d.str()
	case '{':
		d.container('}', func() {
			if d.peek() != '"' {
				d.fail()
				return
			}
			d.str()
			d.colon()
			d.skip()
		})
	case '[':
		d.container(']', d.skip)
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		d.number()
	}
}

// colon reads the ':' after a key and the white space around it.
func (d *decoder) colon() {
	if d.failed {
		return
	}
	d.ws()
	if d.peek() != ':' {
		d.fail()
		return
	}
	d.i++
	d.ws()
}

// container reads an object or an array at the read offset, calling item
// for each member or element (at its first byte), until end ('}' or ']').
func (d *decoder) container(end byte, item func()) {
	d.depth++
	if d.depth > maxDepth {
		d.fail()
		return
	}
	d.i++
	d.ws()
	if d.peek() == end {
		d.i++
		d.depth--
		return
	}
	for !d.failed {
		item()
		if d.failed {
			return
		}
		d.ws()
		switch d.peek() {
		case ',':
			d.i++
			d.ws()
		case end:
			d.i++
			d.depth--
			return
		default:
			d.fail()
		}
	}
}

// syntaxError returns encoding/json's own syntax error for data, which the
// scanner found invalid (the error path only).
func syntaxError(data []byte, offset int) error {
	err := json.Unmarshal(data, new(any))
	if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
		return err
	}
	return &json.SyntaxError{Offset: int64(offset)}
}

// key reads a member's key and the ':' after it; the key is unescaped
// into buf when it has escapes.
func (d *decoder) key(buf []byte) []byte {
	if d.peek() != '"' {
		d.fail()
		return nil
	}
	raw, special := d.str()
	if special && (hasEscape(raw) || !utf8.Valid(raw)) {
		raw = append(buf, unquote(raw)...)
	}
	d.colon()
	return raw
}

// eachMember calls f with each key (unescaped) and value (as written) of
// the JSON object obj, for the afterDecode methods; obj has been validated
// already. Anything but an object calls f never.
func eachMember(obj []byte, f func(key, val []byte)) {
	d := decoder{data: obj}
	d.ws()
	if d.peek() != '{' {
		return
	}
	d.container('}', func() {
		key := d.key(nil)
		start := d.i
		d.skip()
		if !d.failed {
			f(key, obj[start:d.i])
		}
	})
}

// memberValue returns the value of key in the JSON object obj, or nil: of
// the members whose name matches key without regard to case, the last, as
// encoding/json and the lenient decoder would take it.
func memberValue(obj []byte, key string) []byte {
	var last []byte
	eachMember(obj, func(k, val []byte) {
		if bytes.EqualFold(k, []byte(key)) {
			last = val
		}
	})
	return last
}

// isJSONObject reports whether data, less leading white space, starts a
// JSON object.
func isJSONObject(data []byte) bool {
	d := decoder{data: data}
	d.ws()
	return d.peek() == '{'
}

// isNull reports whether data is the JSON null, white space around it.
func isNull(data []byte) bool {
	return string(bytes.TrimSpace(data)) == "null"
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
