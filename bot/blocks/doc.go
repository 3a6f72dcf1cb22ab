// Package blocks holds microcoach's Block Kit views: pure functions from
// coaching values (and now, passed in) to Slack messages, modals and the
// App Home, with the action, callback and block ids they carry and the
// parsing of submitted modals.
//
// Views never read a clock or a database: the package imports only the
// standard library, slack-go and coach, and TestViewsArePure keeps it so.
// Golden tests pin their JSON in testdata/*.golden.json; after an
// intended change, run
//
//	go test ./bot/blocks -update
//
// and review the diff. The JSON pastes straight into Block Kit Builder.
package blocks
