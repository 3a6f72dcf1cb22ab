// Package coach is the coaching method microcoach encodes, with no knowledge
// of Slack, bbolt or cron.
//
// The method, in the order a manager and a product manager walk through it:
//
//  1. Define "good": a competency Model of Areas (by default the eight PMwheel
//     areas), each with what beginner, intermediate and advanced look like.
//  2. Put a pin on the map: Ratings on a 1–10 scale, by the PM about
//     themselves and by their manager, kept as a time series. The difference
//     between the latest self and manager score is the perception Gap; gaps of
//     GapThreshold or more are what a coaching conversation is for.
//  3. The Next Bigger Challenge: the assignment the PM would get next.
//  4. A development plan of 3–5 themes that the PM owns.
//  5. A cadence of small nudges, monthly colour check-ins and quarterly
//     refreshes, fed by a question bank.
//
// Rules take the current time as an argument; nothing here reads a clock.
package coach
