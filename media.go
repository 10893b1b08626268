package veriff

// STUB: owned by the media/INE work; expand freely, keep the names.

// MediaContext says what an image or video shows. The type is open.
type MediaContext string

// Media contexts.
const (
	ContextDocumentFront MediaContext = "document-front"
	ContextDocumentBack  MediaContext = "document-back"
	ContextFace          MediaContext = "face"
)
