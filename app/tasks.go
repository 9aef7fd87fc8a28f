package app

import (
	"path/filepath"

	"indicia/config"
	"indicia/jobs/tasks"
)

// buildTasks gathers what the job handlers need; a kind whose service could
// not start (Options.Partial) is left out by tasks.Register.
func (a *App) buildTasks() {
	a.Tasks = tasks.Deps{Pool: a.Pool, Redis: a.Redis, Queue: a.Jobs, Batches: a.Batches, COA: a.COA,
		Metering: a.Metering, Payments: a.Payments, RefundAfter: a.Config.RefundAfter, AlertMail: a.mailer(),
		UploadRetention: a.Config.UploadRetention, UploadDir: UploadDir(a.Config),
		Reports: a.Reports, StatementMail: a.mailer(), BaseURL: a.Config.BaseURL, Accounts: a.Accounts}
	if a.MailSender != nil {
		a.Tasks.Mail = a.MailSender
	}
}

// UploadDir is where uploaded change-of-address lists wait for their job.
func UploadDir(cfg config.Config) string { return filepath.Join(cfg.VarDir, "uploads") }
