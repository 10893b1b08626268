package verifftest

// This file holds the hosted flow's sentences in English and Spanish, and the lang parameter.

import (
	"fmt"
	"strings"
)

// The hosted flow speaks English and Spanish (the people verified through
// the INE are Mexican). The lang query parameter picks the language, as
// Veriff's InContext SDK adds it to verification.url: "es", "es-MX" (any
// "es-…") and "en"; anything else gets English.

// Languages of the hosted flow, as in <html lang>.
const (
	langEN = "en"
	langES = "es"
)

// pickLang returns the page language for a lang query parameter.
func pickLang(q string) string {
	q = strings.ToLower(strings.TrimSpace(q))
	if q == langES || strings.HasPrefix(q, "es-") || strings.HasPrefix(q, "es_") {
		return langES
	}
	return langEN
}

// texts holds every sentence of the hosted flow, in English and Spanish.
// A %s takes a field label or a status.
var texts = map[string][2]string{
	"brand":           {"Identity verification", "Verificación de identidad"},
	"tag":             {"test environment", "entorno de pruebas"},
	"skip":            {"Skip to content", "Ir al contenido"},
	"verify_title":    {"Verify your identity", "Verifica tu identidad"},
	"verify_intro":    {"Add three photos: the front and the back of your ID document, and a photo of your face. Each must be an image of at most 18 MB.", "Agrega tres fotos: el frente y el reverso de tu identificación, y una foto de tu rostro. Cada una debe ser una imagen de 18 MB como máximo."},
	"front_label":     {"Front of your ID document", "Frente de tu identificación"},
	"front_hint":      {"The side with your photo. Lay the card flat, in good light, with all four corners visible.", "El lado con tu foto. Coloca la credencial sobre una superficie plana, con buena luz y con las cuatro esquinas visibles."},
	"back_label":      {"Back of your ID document", "Reverso de tu identificación"},
	"back_hint":       {"The side with the barcode or QR code.", "El lado con el código de barras o el código QR."},
	"face_label":      {"A photo of your face", "Una foto de tu rostro"},
	"face_hint":       {"Look straight at the camera, with nothing covering your face.", "Mira de frente a la cámara, sin nada que cubra tu rostro."},
	"preview":         {"Preview of the chosen photo: %s", "Vista previa de la foto elegida: %s"},
	"submit":          {"Submit for verification", "Enviar para verificación"},
	"cancel":          {"Cancel", "Cancelar"},
	"nothing_kept":    {"Nothing was kept: please choose all three photos again.", "No se guardó nada: vuelve a elegir las tres fotos."},
	"closed_sent":     {"This verification has already been submitted. There is nothing more to do here.", "Esta verificación ya fue enviada. No hay nada más que hacer aquí."},
	"closed_other":    {"This verification is no longer open (its status is %s). Ask the service that sent you here for a new link.", "Esta verificación ya no está abierta (su estado es %s). Pide un enlace nuevo al servicio que te envió aquí."},
	"err_form":        {"The form was not sent as a file upload. Please use the form on this page.", "El formulario no se envió como carga de archivos. Usa el formulario de esta página."},
	"err_read":        {"The upload could not be read. Please try again.", "No se pudo leer la carga. Inténtalo de nuevo."},
	"err_body":        {"The upload is larger than the three photos may be together (54 MB). Please choose smaller photos.", "La carga es más grande de lo que pueden ocupar las tres fotos juntas (54 MB). Elige fotos más pequeñas."},
	"err_missing":     {"Please add: %s.", "Falta agregar: %s."},
	"err_size":        {"%s: the file is larger than 18 MB. Please choose a smaller photo.", "%s: el archivo pesa más de 18 MB. Elige una foto más pequeña."},
	"err_one":         {"%s: please give one file only.", "%s: agrega un solo archivo."},
	"err_image":       {"%s: the file is not an image. Please choose a photo (JPEG, PNG, WebP or HEIC).", "%s: el archivo no es una imagen. Elige una foto (JPEG, PNG, WebP o HEIC)."},
	"done_title":      {"Thank you", "Gracias"},
	"done_text":       {"Your photos were sent. We are checking your identity now; you will hear back from the service that sent you here.", "Tus fotos fueron enviadas. Estamos verificando tu identidad; el servicio que te envió aquí te dará la respuesta."},
	"done_close":      {"You can close this page.", "Ya puedes cerrar esta página."},
	"invalid_title":   {"Link not valid", "Enlace no válido"},
	"invalid_text":    {"This verification link is not valid. Ask the service that sent you here for a new one.", "Este enlace de verificación no es válido. Pide uno nuevo al servicio que te envió aquí."},
	"invalid_gone":    {"This verification link is not valid any more.", "Este enlace de verificación ya no es válido."},
	"canceled_title":  {"Verification cancelled", "Verificación cancelada"},
	"canceled_text":   {"You left the verification. Nothing was submitted; while it is open you can come back to it with the same link.", "Saliste de la verificación. No se envió nada; mientras siga abierta puedes volver con el mismo enlace."},
	"canceled_resume": {"Go back to the verification", "Volver a la verificación"},
	"notfound_title":  {"Not found", "No encontrado"},
	"notfound_text":   {"There is no page at this address.", "No hay ninguna página en esta dirección."},
}

// catalogs are texts by language, for the templates (.T.key).
var catalogs = func() map[string]map[string]string {
	out := map[string]map[string]string{langEN: {}, langES: {}}
	for k, v := range texts {
		out[langEN][k], out[langES][k] = v[0], v[1]
	}
	return out
}()

// tr returns the sentence key in lang, with args in its %s.
func tr(lang, key string, args ...any) string {
	t := catalogs[lang][key]
	if len(args) > 0 {
		return fmt.Sprintf(t, args...)
	}
	return t
}
