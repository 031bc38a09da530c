/** Calibration of the impact inference (being written; replaced by the study itself). */
export async function benchImpactCalibration(_args: string[]): Promise<void> {
  throw new Error("the impact calibration study is not written yet");
}
