using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Running;

/// <summary>
/// The open model: when each arrival is due, worked out from the stages alone. Nothing the hub does (slow
/// answers, errors) moves these times, so a struggling hub is offered the same load as a healthy one.
/// </summary>
public static class ArrivalSchedule
{
    /// <summary>
    /// Arrival times, evenly spread under a rate that moves linearly through each stage: the k-th arrival
    /// is due when the integral of the rate reaches k (the fraction left at a stage's end carries over).
    /// </summary>
    public static IEnumerable<TimeSpan> Offsets(IEnumerable<Stage> stages)
    {
        var start = TimeSpan.Zero;
        double done = 0;   // arrivals due so far, fractional
        foreach (var stage in stages)
        {
            var seconds = stage.Duration.TotalSeconds;
            var expected = (stage.From + stage.To) / 2 * seconds;
            // Arrivals in the stage solve r0·t + (r1 − r0)·t²/(2D) = k; a = (r1 − r0)/(2D).
            var a = (stage.To - stage.From) / (2 * seconds);
            for (var k = Math.Floor(done) + 1; k <= done + expected; k++)
            {
                var n = k - done;
                // The root in the form that stays exact when a is zero or negative.
                var t = 2 * n / (stage.From + Math.Sqrt(Math.Max(0, stage.From * stage.From + 4 * a * n)));
                yield return start + TimeSpan.FromSeconds(Math.Min(t, seconds));
            }
            done += expected;
            start += stage.Duration;
        }
    }

    /// <summary>How many arrivals the stages offer in all.</summary>
    public static long Count(IEnumerable<Stage> stages) =>
        (long)Math.Floor(stages.Sum(s => (s.From + s.To) / 2 * s.Duration.TotalSeconds));
}
