package veriff

// Session and decision codes (verification.code and event codes). Key your
// logic on the status string: Veriff's pages disagree on 9121, and 9104
// stands for both expired and abandoned.
const (
	CodeStarted               = 7001 // event: the end-user entered the flow
	CodeSubmitted             = 7002 // event: the end-user submitted the data
	CodeApproved              = 9001
	CodeDeclined              = 9102
	CodeResubmissionRequested = 9103
	CodeExpiredOrAbandoned    = 9104
	CodeReview                = 9121
)

// reasonTexts holds Veriff's reason codes (verification.reasonCode) of
// declined and resubmission_requested decisions, granular codes included.
var reasonTexts = map[int]string{
	101: "Physical document not used",
	102: "Suspected document tampering",
	103: "Person showing the document does not appear to match document photo",
	104: "Name entered does not match name on document",
	105: "Suspicious behaviour",
	106: "Known fraud",
	107: "Velocity/abuse",
	108: "Velocity/abuse duplicated end-user",
	109: "Velocity/abuse duplicated device",
	110: "Velocity/abuse duplicated ID",
	111: "Session fraudulently accessed",
	112: "Restricted IP location",
	113: "Suspicious behaviour - Identity Farming",
	120: "Person on the portrait does not appear to match reference photo",
	121: "User ID missing",
	122: "No reference found",
	123: "Unable to pass registry checks",
	124: "Face already exists in the face collection",
	126: "Potential PEP match",
	127: "Face match with blocklist",
	128: "End User ID mismatch",
	129: "Invalid workflow",
	201: "Video and/or photos missing",
	202: "Face not clearly visible",
	203: "Full document not visible",
	204: "Poor image quality",
	205: "Document damaged",
	206: "Document type not supported",
	207: "Document expired",
	208: "Selfie missing",
	209: "Document photo missing",
	501: "High probability of fraudulent attempt",
	502: "Multiple parties present in session",
	503: "Attempted deceit",
	504: "Attempted deceit, device screen used",
	505: "Attempted deceit, printout used",
	506: "Presented document tampered",
	507: "Presented document tampered, data cross reference",
	508: "Presented document tampered, document similarity to specimen",
	509: "Person showing the document does not match document photo",
	510: "Presented document type not supported",
	511: "Presented document expired",
	515: "Attempted deceit, device screen used for face image",
	526: "Attempted deceit, photos streamed",
	527: "Unable to collect proof of address data",
	528: "Proof of address issue date too old",
	530: "Person is under 13 years old",
	531: "Person is under 14 years old",
	532: "Person is under 16 years old",
	533: "Person is under 18 years old",
	534: "Person is under 20 years old",
	535: "Person is under 21 years old",
	536: "Person is under 25 years old",
	537: "Unable to perform document media portrait cropping",
	539: "Resubmission limit exceeded",
}

// ReasonCodeText returns the English text Veriff documents for a decision
// reason code (verification.reasonCode), or "" for a code it does not know.
// Veriff sends the text itself in verification.reason; prefer that when set.
func ReasonCodeText(code int) string { return reasonTexts[code] }

// codeHints explains Veriff's troubleshooting codes.
var codeHints = map[string]string{
	"1001": "query ID must be between 20 and 40 characters",
	"1002": "query ID must be a valid UUID v4",
	"1003": "query ID has already been used",
	"1101": "request validation failed",
	"1102": "mandatory parameters are missing from the request",
	"1104": "request includes invalid parameters",
	"1201": "timestamp must not be older than one hour",
	"1202": "timestamp format is incorrect",
	"1203": "invalid ISO 8601 date, use YYYY-MM-DD",
	"1301": "requested features are not supported",
	"1302": "only HTTPS return URLs are allowed",
	"1303": "invalid session status",
	"1304": "cannot transition to the requested status; the session may already be submitted",
	"1308": "ID number is missing",
	"1309": "SSN validation needs firstName and lastName, or fullName",
	"1310": "SSN validation needs person.dateOfBirth or an address",
	"1400": "image data not found",
	"1401": "image is not valid base64",
	"1402": "image context is not supported",
	"1403": "image property is missing",
	"1500": "vendorData must not exceed 1000 characters",
	"1501": "vendorData must be a string",
	"1801": "X-AUTH-CLIENT header (API key) is missing",
	"1802": "API key is not a valid UUID",
	"1803": "integration not found: check the API key and base URL",
	"1804": "integration is not active",
	"1812": "signature is not a valid SHA256 hash",
	"1813": "signature does not match the SHA256 of the query ID and secret (legacy scheme)",
	"1814": "signature does not match the SHA256 of the body and secret (legacy scheme)",
	"1815": "could not authenticate the request",
	"1818": "signature does not match the HMAC-SHA256 of the query ID and shared secret: check the shared secret",
	"1819": "signature does not match the HMAC-SHA256 of the request body and shared secret: check the shared secret",
}
