package handlers

import (
	"strconv"

	"github.com/gofiber/fiber/v3"

	"indicia/apperr"
	"indicia/jobs"
	"indicia/views"
	"indicia/web/request"
)

// jobLabels are the human names of job kinds.
var jobLabels = map[string]string{}

// resultURLs give, per kind, where a finished job's result is shown.
var resultURLs = map[string]func(jobs.Job) string{}

// failedURLs give, per kind, where a failed job's reasons are shown.
var failedURLs = map[string]func(jobs.Job) string{}

// jobErrorText is, per kind, what a failed job tells its starter. A job's
// own error text is written for the staff who run the service (package
// paths, retry decisions) and is shown only on the vendor admin's page.
var jobErrorText = map[string]string{}

const jobErrorDefault = "This job could not finish because of a problem on our side. It has been recorded for our staff; you can try again later."

func jobVM(j jobs.Job) views.JobVM {
	label := jobLabels[j.Kind]
	if label == "" {
		label = j.Kind
	}
	vm := views.JobVM{ID: strconv.FormatInt(j.ID, 10), Kind: label, Status: j.Status, Message: j.Message, Done: j.Done, Total: j.Total,
		Percent: j.Percent(), Finished: j.Finished(), Created: j.CreatedAt.UTC().Format("2006-01-02 15:04")}
	if j.Status == jobs.StatusDead || j.Status == jobs.StatusFailed {
		vm.Error = jobErrorText[j.Kind]
		if vm.Error == "" {
			vm.Error = jobErrorDefault
		}
		if j.Status == jobs.StatusFailed {
			vm.Error = "The last attempt did not finish; it will be tried again shortly."
		}
		if f := failedURLs[j.Kind]; f != nil && j.Status == jobs.StatusDead {
			vm.ResultURL = f(j)
		}
	}
	if f := resultURLs[j.Kind]; f != nil && j.Status == jobs.StatusSucceeded {
		vm.ResultURL = f(j)
	}
	return vm
}

func (h *Handler) loadJob(c fiber.Ctx) (jobs.Job, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return jobs.Job{}, apperr.NotFound("No such job.")
	}
	return h.d.Jobs.Get(c.Context(), *request.Actor(c), id)
}

// JobStatus shows a job's progress to the person who started it.
func (h *Handler) JobStatus(c fiber.Ctx) error {
	j, err := h.loadJob(c)
	if err != nil {
		return err
	}
	vm := jobVM(j)
	p := h.Page(c, "Job progress", "")
	if !vm.Finished {
		// Without JavaScript the browser reloads the page until the job ends.
		p.Refresh = 5
	}
	return render(c, fiber.StatusOK, views.JobPage(p, vm))
}

type apiJob struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Done      int64  `json:"done"`
	Total     int64  `json:"total"`
	Percent   int    `json:"percent"`
	Message   string `json:"message,omitempty"`
	Error     string `json:"error,omitempty"`
	ResultURL string `json:"result_url,omitempty"`
}

func toAPIJob(j jobs.Job) apiJob {
	vm := jobVM(j)
	return apiJob{ID: j.ID, Kind: j.Kind, Status: j.Status, Done: j.Done, Total: j.Total, Percent: vm.Percent, Message: j.Message, Error: vm.Error, ResultURL: vm.ResultURL}
}

// JobStatusJSON feeds the progress bar (session) and the API (key).
func (h *Handler) JobStatusJSON(c fiber.Ctx) error {
	j, err := h.loadJob(c)
	if err != nil {
		return err
	}
	return c.JSON(toAPIJob(j))
}

// DeadJobs lists jobs whose retries ran out (vendor admins).
func (h *Handler) DeadJobs(c fiber.Ctx) error {
	list, err := h.d.Jobs.Dead(c.Context(), *request.Actor(c), 200)
	if err != nil {
		return err
	}
	rows := make([]views.JobVM, 0, len(list))
	for _, j := range list {
		vm := jobVM(j)
		vm.Error = j.LastError // vendor admins need the diagnosis
		rows = append(rows, vm)
	}
	return render(c, fiber.StatusOK, views.DeadJobs(h.Page(c, "Failed jobs", "jobs"), rows))
}

// RetryJob puts a dead job back on the queue.
func (h *Handler) RetryJob(c fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return apperr.NotFound("No such job.")
	}
	if err := h.d.Jobs.Retry(c.Context(), *request.Actor(c), id); err != nil {
		return err
	}
	return h.redirectWith(c, "/admin/jobs", "Job "+c.Params("id")+" is queued again.")
}
