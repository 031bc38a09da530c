/** Calibration of the trends inference (being written; replaced by the study itself). */
export async function benchTrendsCalibration(_args: string[]): Promise<void> {
  throw new Error("the trends calibration study is not written yet");
}
