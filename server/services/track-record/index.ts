/** Track record (issue #17): settling signals' results, and the cached channel and trader records. */
export { createTrackRecordService, type PerformanceView, type TrackRecordService } from "./record.ts";
export { createResultService, type ResultService } from "./results.ts";
