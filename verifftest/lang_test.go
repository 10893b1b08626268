package verifftest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Every sentence of the hosted flow exists in English and
// Spanish, with the same placeholders.
func TestTextsInBothLanguages(t *testing.T) {
	for key, v := range texts {
		t.Run(key, func(t *testing.T) {
			assert.NotEmpty(t, strings.TrimSpace(v[0]), "English")
			assert.NotEmpty(t, strings.TrimSpace(v[1]), "Spanish")
			assert.Equal(t, strings.Count(v[0], "%s"), strings.Count(v[1], "%s"), "placeholders")
		})
	}
	for _, f := range hostedFields {
		for _, k := range []string{f.Key + "_label", f.Key + "_hint"} {
			assert.Contains(t, texts, k)
		}
	}
	cases := []struct{ in, want string }{
		{"es", langES}, {"es-MX", langES}, {"ES-mx", langES}, {"es_MX", langES},
		{"en", langEN}, {"en-US", langEN}, {"", langEN}, {"fr", langEN}, {"espanol", langEN},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, pickLang(c.in), c.in)
	}
}
