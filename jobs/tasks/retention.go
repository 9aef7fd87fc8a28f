package tasks

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// PurgeUploads deletes uploaded personal data older than d.UploadRetention:
// change-of-address list files and the rows of finished cleansing batches.
func PurgeUploads(ctx context.Context, d Deps, now time.Time) error {
	cutoff := now.Add(-d.UploadRetention)
	var errs []error
	if d.COA != nil {
		n, err := d.COA.PurgeUploads(ctx, d.UploadDir, cutoff)
		errs = append(errs, err)
		if n > 0 {
			slog.InfoContext(ctx, "retention: deleted uploaded change-of-address files", "files", n, "older_than", cutoff)
		}
	}
	if d.Batches != nil {
		n, err := d.Batches.PurgeInputs(ctx, cutoff)
		errs = append(errs, err)
		if n > 0 {
			slog.InfoContext(ctx, "retention: deleted cleansing batch rows", "rows", n, "older_than", cutoff)
		}
	}
	return errors.Join(errs...)
}
