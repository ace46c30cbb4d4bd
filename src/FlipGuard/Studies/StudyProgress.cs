namespace FlipGuard.Studies;

/// <summary>
/// Progress of a study: which model (of how many) and which stage it is in, how far that stage is, and a line of
/// detail. <see cref="Finished"/> is set on the last report of a stage, with <see cref="Skipped"/> when the store
/// already had its result.
/// </summary>
public sealed record StudyProgress(int Model, int Models, string ModelName, string Stage, double Fraction, string Detail, bool Finished = false, bool Skipped = false);
