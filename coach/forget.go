package coach

// Forgotten counts what forgetting a person removed: everything stored
// about them or written by them, and their team links both ways. Slack
// event and submission ids that only make repeats harmless are kept; they
// say nothing about anyone.
type Forgotten struct {
	Person       bool // their person record
	Ratings      int  // ratings of them, and ratings they gave others
	Challenges   int  // their challenges, and proposals they made that were not accepted
	Anonymised   int  // accepted challenges they had proposed: kept for the report, author removed
	Plans        int  // their plan (0 or 1)
	PlanChanges  int  // its history
	Answers      int  // answers to coaching questions
	Colours      int  // monthly check-in colours
	Deliveries   int  // ledger entries of messages sent or owed to them
	Preps        int  // 1:1 agenda marks they made or that were about them
	Reports      int  // people whose manager of record they were
	Invitations  int  // open invitations they sent or were sent
	LeftTeam     bool // they were in someone's team
	TotalRecords int  // every record deleted or changed
}

// Empty reports whether nothing was stored about the person.
func (f Forgotten) Empty() bool { return f.TotalRecords == 0 }
