package veriff

// STUB: owned by the media/INE work; expand freely, keep the names.

// INERegistryResult is the INE (Mexican voter registry) check result.
type INERegistryResult struct {
	Active        bool   `json:"active"`
	DocumentState string `json:"documentState"`
}

// INEBiometricRegistryValidation is the INE biometric registry result inside
// a decision (verification.additionalVerifiedData.ineBiometricRegistryValidation).
type INEBiometricRegistryValidation struct {
	FaceMatch           *bool    `json:"faceMatch"`
	FaceMatchPercentage *float64 `json:"faceMatchPercentage"`
	ResponseStatus      *string  `json:"responseStatus"`
}
