using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Tests;

public class ArrivalScheduleTests
{
    [Fact]
    public void A_constant_rate_spreads_arrivals_evenly()
    {
        var offsets = ArrivalSchedule.Offsets([new Stage(TimeSpan.FromSeconds(2), 50, 50)]).ToList();

        Assert.Equal(100, offsets.Count);
        Assert.All(offsets.Zip(offsets.Skip(1)), pair => Assert.Equal(20, (pair.Second - pair.First).TotalMilliseconds, 3));
        Assert.Equal(2, offsets[^1].TotalSeconds, 6);
    }

    [Fact]
    public void A_ramp_offers_its_integral_and_speeds_up()
    {
        // From 0 to 100 per second over 10 s: 500 arrivals, the first half of them in the last 3 s or so.
        var offsets = ArrivalSchedule.Offsets([new Stage(TimeSpan.FromSeconds(10), 0, 100)]).ToList();

        Assert.Equal(500, offsets.Count);
        Assert.Equal(offsets.Order().ToList(), offsets);
        Assert.Equal(Math.Sqrt(50), offsets[249].TotalSeconds, 3);   // integral t²·5 reaches 250 at √50 s
        Assert.True(offsets[1] - offsets[0] > offsets[^1] - offsets[^2]);
    }

    [Fact]
    public void A_ramp_down_slows_down()
    {
        var offsets = ArrivalSchedule.Offsets([new Stage(TimeSpan.FromSeconds(4), 100, 0)]).ToList();

        Assert.Equal(200, offsets.Count);
        Assert.True(offsets[1] - offsets[0] < offsets[^1] - offsets[^2]);
        Assert.All(offsets, o => Assert.InRange(o.TotalSeconds, 0, 4));
    }

    [Fact]
    public void Fractions_carry_over_from_stage_to_stage()
    {
        // 0.5 arrivals in each of four stages: two arrivals in all, not none.
        var stages = Enumerable.Repeat(new Stage(TimeSpan.FromSeconds(1), 0.5, 0.5), 4).ToList();

        var offsets = ArrivalSchedule.Offsets(stages).ToList();

        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], offsets);
        Assert.Equal(2, ArrivalSchedule.Count(stages));
    }

    [Fact]
    public void The_count_matches_the_schedule_for_every_shipped_scenario()
    {
        foreach (var name in ScenarioFile.Shipped())
        {
            var scenario = ScenarioFile.Load(name);
            var count = ArrivalSchedule.Offsets(scenario.Stages).LongCount();
            Assert.InRange(count, ArrivalSchedule.Count(scenario.Stages) - 1, ArrivalSchedule.Count(scenario.Stages));
        }
    }
}
