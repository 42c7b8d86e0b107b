package gen

// SetAnalyzeThreshold sets the size from which Generate analyzes every
// table on PostgreSQL, for a test, and returns a function that puts it
// back.
func SetAnalyzeThreshold(n int) (restore func()) {
	old := analyzeThreshold
	analyzeThreshold = n
	return func() { analyzeThreshold = old }
}

// DemoHouseholdSQL is demoHouseholdSQL, for a test of its plan.
var DemoHouseholdSQL = demoHouseholdSQL

// CommunityPeopleSQL is communityPeopleSQL, for a test of its plan.
const CommunityPeopleSQL = communityPeopleSQL
