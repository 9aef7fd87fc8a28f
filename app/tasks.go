package app

import "indicia/jobs/tasks"

// buildTasks gathers what the job handlers need; a kind whose service could
// not start (Options.Partial) is left out by tasks.Register.
func (a *App) buildTasks() {
	a.Tasks = tasks.Deps{Pool: a.Pool, Redis: a.Redis, Queue: a.Jobs, Batches: a.Batches, COA: a.COA,
		Metering: a.Metering, Payments: a.Payments, RefundAfter: a.Config.RefundAfter,
		Reports: a.Reports, StatementMail: a.mailer(), BaseURL: a.Config.BaseURL}
}
