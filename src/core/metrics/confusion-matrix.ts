// Confusion matrix of integer class indices: rows are true classes, columns predicted (as sklearn).
import { checkClassCount, checkLabels, checkSameLength } from './metric-inputs.ts';

/** k×k counts; entry [t][p] is the number of examples of true class t predicted as p. */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
): number[][] {
  checkSameLength(yTrue, yPred, 'confusionMatrix');
  checkClassCount(k, 'confusionMatrix');
  checkLabels(yTrue, k, 'confusionMatrix (true labels)');
  checkLabels(yPred, k, 'confusionMatrix (predicted labels)');
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = m[yTrue[i] as number] as number[];
    const p = yPred[i] as number;
    row[p] = (row[p] as number) + 1;
  }
  return m;
}
