/** Recommender quality and time on Online Retail (being written; replaced by the study itself). */
export async function benchRecommend(_args: string[]): Promise<void> {
  throw new Error("the recommend bench is not written yet");
}
