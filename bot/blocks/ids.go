package blocks

import "strings"

// Callback ids of the views microcoach opens, and action ids of the
// interactive elements it sends. Every id lives here, so no two elements
// share one by accident and handlers never match on a string literal.
const (
	// CallbackRate is the /rate modal (self) and the /coach assess modal
	// (a manager's assessment): one score and note per area.
	CallbackRate = "microcoach.rate"
	// CallbackPlan is the development plan modal.
	CallbackPlan = "microcoach.plan"
	// CallbackChallenge is the modal in which a person writes their own
	// Next Bigger Challenge instead of a proposed one.
	CallbackChallenge = "microcoach.challenge"
	// CallbackReport is the read-only details modal a manager opens for a report.
	CallbackReport = "microcoach.report"

	// ActionScore and ActionNote are the elements inside the rate modal's
	// per-area blocks; the area is in the block id (see ScoreBlockID).
	ActionScore = "score"
	ActionNote  = "note"

	// ActionOpenRate opens the rate modal from a button (App Home, help).
	ActionOpenRate = "microcoach.open_rate"
	// ActionOpenPlan opens the plan modal.
	ActionOpenPlan = "microcoach.open_plan"
	// ActionActionsDone is the checkbox group of one theme's actions; the
	// theme id is in the block id.
	ActionActionsDone = "microcoach.actions_done"
	// ActionAcceptChallenge accepts a proposed challenge (value: its id).
	ActionAcceptChallenge = "microcoach.challenge_accept"
	// ActionEditChallenge opens the challenge modal prefilled with a proposal.
	ActionEditChallenge = "microcoach.challenge_edit"
	// ActionReportDetails opens a report's details (value: their user id).
	ActionReportDetails = "microcoach.report_details"
	// ActionReportPick picks a report from a select to open their details.
	ActionReportPick = "microcoach.report_pick"

	// Plan modal elements; block ids carry the theme slot.
	ActionPlanHeadline = "headline"
	ActionPlanHorizon  = "horizon"
	ActionThemeArea    = "area"
	ActionThemeTitle   = "title"
	ActionThemeActions = "actions"
	// ActionChallengeText is the text input of the challenge modal.
	ActionChallengeText = "text"
)

// Block ids.
const (
	blockScorePrefix   = "score:"
	blockNotePrefix    = "note:"
	BlockPlanHeadline  = "plan.headline"
	BlockPlanHorizon   = "plan.horizon"
	BlockThemePrefix   = "plan.theme"
	BlockActionsPrefix = "actions:"
	BlockChallengeText = "challenge.text"
)

// ScoreBlockID and NoteBlockID name an area's blocks in the rate modal.
func ScoreBlockID(areaID string) string { return blockScorePrefix + areaID }
func NoteBlockID(areaID string) string  { return blockNotePrefix + areaID }

// ThemeBlockID names the block of one part ("area", "title", "actions") of
// the theme in slot n (1-based) of the plan modal.
func ThemeBlockID(n int, part string) string {
	return BlockThemePrefix + string(rune('0'+n)) + "." + part
}

func actionsBlockID(themeID string) string { return BlockActionsPrefix + themeID }

// Cadence message elements. Their values carry a deliveryRef (JSON).
const (
	ActionNudgeDone    = "microcoach.nudge_done"
	ActionNudgeNotYet  = "microcoach.nudge_not_yet"
	ActionNudgeSnooze  = "microcoach.nudge_snooze"
	ActionColour       = "microcoach.colour" // suffixed per colour: see colourActionID
	ActionColourNote   = "microcoach.colour_note"
	ActionRefreshKeep  = "microcoach.refresh_keep"
	ActionRefreshEdit  = "microcoach.refresh_change"
	ActionRefreshDrop  = "microcoach.refresh_retire"
	ActionMood         = "microcoach.mood"
	ActionShareAnswer  = "microcoach.answer_share"
	ActionUnshare      = "microcoach.answer_unshare"
	CallbackColourNote = "microcoach.colour_note"
	ActionNoteText     = "note"
	BlockNoteText      = "colour_note.text"
)

// colourActionID gives each colour button of a theme its own id.
func colourActionID(c, theme string) string { return ActionID(ActionColour+"."+c, theme) }

// ActionID makes an element's action id unique within its message or view
// (Slack requires it) by adding what tells it apart: a theme, an area, a
// person. Handlers dispatch on BaseAction.
func ActionID(base, discriminator string) string { return base + "~" + discriminator }

// BaseAction strips what ActionID added.
func BaseAction(id string) string {
	base, _, _ := strings.Cut(id, "~")
	return base
}

// Action ids of invitations and the team's buttons.
const (
	// ActionInviteAccept and ActionInviteDecline answer an invitation
	// (value: the inviter's user id). Only the invited person can: the
	// invitation is looked up by the clicking user, never by the value
	// alone.
	ActionInviteAccept  = "microcoach.invite_accept"
	ActionInviteDecline = "microcoach.invite_decline"
	// ActionInviteWithdraw withdraws the clicking manager's invitation
	// (value: the invited person's id).
	ActionInviteWithdraw = "microcoach.invite_withdraw"
	// ActionLeaveTeam ends the clicking person's link to their manager of
	// record (Home tab, with a confirm dialog).
	ActionLeaveTeam = "microcoach.leave_team"
)
