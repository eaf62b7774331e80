"""EHR integration: SMART App Launch, a CDS Hooks service and FHIR Evidence output (shell level)."""
