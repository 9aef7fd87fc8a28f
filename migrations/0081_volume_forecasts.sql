-- +goose Up
-- The nightly volume forecasts per origin ZIP and ZIP3: each run (made_on,
-- the first day it forecasts) stores the next 14 days of both methods with
-- their 95% intervals, and beside them each method's measured error on the
-- last 8 weeks. Past runs are kept a while so a chart can set what was
-- forecast for a day against what came.
CREATE TABLE volume_forecasts (
    scope   text NOT NULL CHECK (scope IN ('zip', 'zip3')),
    origin  text NOT NULL,
    made_on date NOT NULL,
    method  text NOT NULL,
    day     date NOT NULL,
    pieces  float8 NOT NULL,
    lower   float8 NOT NULL,
    upper   float8 NOT NULL,
    PRIMARY KEY (scope, origin, method, day, made_on)
);
CREATE INDEX volume_forecasts_made_idx ON volume_forecasts (made_on);

CREATE TABLE forecast_accuracy (
    scope   text NOT NULL CHECK (scope IN ('zip', 'zip3')),
    origin  text NOT NULL,
    made_on date NOT NULL,
    method  text NOT NULL,
    mape    float8, -- NULL when no day of the backtest had volume
    mae     float8 NOT NULL,
    days    int NOT NULL,
    history_pieces bigint NOT NULL,
    PRIMARY KEY (scope, origin, made_on, method)
);
CREATE INDEX forecast_accuracy_made_idx ON forecast_accuracy (made_on, scope);

-- +goose Down
DROP TABLE forecast_accuracy;
DROP TABLE volume_forecasts;
