package coa

// nicknameGroups are common English given names and their usual short
// forms: one group per formal name, the formal name first. The pairs were
// hand-picked from genealogy nickname lists (for example names.csv of
// github.com/carltonnorthern/nicknames, Apache License 2.0) and pruned for
// precision, because a wrong match sends a mailer's piece to a stranger:
//
//   - A nickname matches its formal names and itself, never another
//     nickname or another formal name: "Liz" matches "Elizabeth", "Liz" and
//     "Betty" do not match each other, nor do "Alexander" and "Alexandra"
//     through "Alex".
//   - A name commonly given on its own is its own name, not a nickname: Jack
//     (today mostly a name of its own, not John), Lisa, Sandra, Nathan, Liam,
//     Gail, Greta, Daisy, Alexa, Drew and Bert are left out, so they match
//     only themselves. No formal name appears as another's nickname (the
//     table test checks this).
//   - A short form of several formal names (Al, Alex, Chris, Pat, Sam,
//     Sandy, Fran, Jeff...) is in each of their groups: "Pat Lee" matches
//     "Patricia Lee" and "Patrick Lee", whose address must match as well.
var nicknameGroups = [][]string{
	{"ABIGAIL", "ABBY", "ABBIE"},
	{"ABRAHAM", "ABE"},
	{"ALBERT", "AL", "BERTIE"},
	{"ALEXANDER", "ALEX", "AL", "ALEC", "SANDY", "XANDER"},
	{"ALEXANDRA", "ALEX", "ALLIE", "SANDY", "LEXI", "LEXIE"},
	{"ALFRED", "AL", "ALF", "ALFIE", "FRED", "FREDDIE"},
	{"ALLISON", "ALLIE", "ALLY"},
	{"AMANDA", "MANDY", "MANDI"},
	{"ANDREW", "ANDY"},
	{"ANTHONY", "TONY"},
	{"ARTHUR", "ART", "ARTIE"},
	{"BARBARA", "BARB", "BABS", "BARBIE"},
	{"BENJAMIN", "BEN", "BENNY", "BENJI"},
	{"BEVERLY", "BEV"},
	{"BRADLEY", "BRAD"},
	{"CAROLINE", "CARRIE", "CARO"},
	{"CATHERINE", "CATHY", "CATE", "KATE", "KATIE", "CAT"},
	{"CHARLES", "CHARLIE", "CHUCK", "CHAS", "CHAZ"},
	{"CHRISTINA", "CHRIS", "CHRISSY", "CHRISTY", "TINA"},
	{"CHRISTINE", "CHRIS", "CHRISSY", "CHRISTY", "TINA"},
	{"CHRISTOPHER", "CHRIS", "KIT", "TOPHER"},
	{"CYNTHIA", "CINDY"},
	{"DANIEL", "DAN", "DANNY"},
	{"DAVID", "DAVE", "DAVEY", "DAVY"},
	{"DEBORAH", "DEB", "DEBBIE", "DEBBY"},
	{"DONALD", "DON", "DONNIE"},
	{"DOROTHY", "DOT", "DOTTIE", "DOLLY"},
	{"DOUGLAS", "DOUG"},
	{"EDWARD", "ED", "EDDIE", "NED", "TED", "TEDDY"},
	{"ELEANOR", "ELLIE", "NELL", "NELLIE"},
	{"ELIZABETH", "LIZ", "LIZZIE", "LIZZY", "BETH", "BETSY", "BETTY", "ELIZA", "BESS", "BESSIE", "LIBBY"},
	{"EUGENE", "GENE"},
	{"FRANCES", "FRAN", "FRANNIE", "FRANKIE"},
	{"FRANCIS", "FRANK", "FRANKIE", "FRAN"},
	{"FREDERICK", "FRED", "FREDDIE", "FREDDY", "FRITZ"},
	{"GEOFFREY", "GEOFF", "JEFF"},
	{"GERALD", "GERRY", "JERRY"},
	{"GREGORY", "GREG"},
	{"GWENDOLYN", "GWEN"},
	{"HAROLD", "HAL", "HARRY"},
	{"HENRY", "HANK", "HARRY", "HAL"},
	{"HERBERT", "HERB"},
	{"JACQUELINE", "JACKIE", "JACKY"},
	{"JAMES", "JIM", "JIMMY", "JAMIE"},
	{"JANET", "JAN"},
	{"JEFFREY", "JEFF", "JEFFY"},
	{"JENNIFER", "JEN", "JENN", "JENNY", "JENNI"},
	{"JEROME", "JERRY"},
	{"JESSICA", "JESS", "JESSIE"},
	{"JOHN", "JOHNNY", "JON"},
	{"JONATHAN", "JON", "JONNY"},
	{"JOSEPH", "JOE", "JOEY"},
	{"JOSEPHINE", "JO", "JOSIE"},
	{"JOSHUA", "JOSH"},
	{"JUDITH", "JUDY", "JUDE"},
	{"KATHERINE", "KATHY", "KATE", "KATIE", "KAT", "KAY", "KITTY"},
	{"KATHLEEN", "KATHY", "KATE", "KATIE"},
	{"KENNETH", "KEN", "KENNY"},
	{"KIMBERLY", "KIM", "KIMMY"},
	{"LAWRENCE", "LARRY"},
	{"LEONARD", "LEN", "LENNY", "LEO"},
	{"MARGARET", "MAGGIE", "MEG", "PEGGY", "PEG", "MARGE", "MARGIE", "MAGS"},
	{"MATTHEW", "MATT", "MATTY"},
	{"MICHAEL", "MIKE", "MIKEY", "MICKEY", "MICK"},
	{"MITCHELL", "MITCH"},
	{"NATHANIEL", "NATE", "NAT"},
	{"NICHOLAS", "NICK", "NICKY", "NICO"},
	{"PAMELA", "PAM", "PAMMY"},
	{"PATRICIA", "PAT", "PATTY", "PATSY", "TRISH", "TRICIA"},
	{"PATRICK", "PAT", "PADDY"},
	{"PETER", "PETE"},
	{"PHILIP", "PHIL", "PIP"},
	{"RAYMOND", "RAY"},
	{"REBECCA", "BECKY", "BECCA", "BECK"},
	{"RICHARD", "RICK", "RICKY", "DICK", "RICH", "RICHIE"},
	{"ROBERT", "BOB", "BOBBY", "ROB", "ROBBIE"},
	{"RONALD", "RON", "RONNIE"},
	{"SAMANTHA", "SAM", "SAMMY", "SAMMIE"},
	{"SAMUEL", "SAM", "SAMMY"},
	{"SANDRA", "SANDY", "SANDI"},
	{"STEPHEN", "STEVE", "STEVIE"},
	{"STEVEN", "STEVE", "STEVIE"},
	{"SUSAN", "SUE", "SUSIE", "SUZY"},
	{"TERESA", "TERRI", "TESS"},
	{"THEODORE", "TED", "TEDDY", "THEO"},
	{"THOMAS", "TOM", "TOMMY"},
	{"TIMOTHY", "TIM", "TIMMY"},
	{"VICTORIA", "VICKY", "VICKI", "TORI"},
	{"VINCENT", "VINCE", "VINNY"},
	{"WILLIAM", "BILL", "BILLY", "WILL", "WILLIE", "WILLY"},
	{"ZACHARY", "ZACH", "ZACK"},
}

// nicknameIndex maps a given name to the names it may match besides itself:
// a nickname to its formal names, a formal name to its nicknames. It is
// built once per COA service and read-only afterwards.
func nicknameIndex() map[string][]string {
	idx := map[string][]string{}
	for _, g := range nicknameGroups {
		formal := g[0]
		for _, n := range g[1:] {
			idx[n] = append(idx[n], formal)
			idx[formal] = append(idx[formal], n)
		}
	}
	return idx
}
