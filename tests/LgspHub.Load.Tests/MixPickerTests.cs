using LgspHub.Load.Flows;
using LgspHub.Load.Running;
using LgspHub.Load.Scenarios;

namespace LgspHub.Load.Tests;

public sealed class MixPickerTests
{
    [Fact]
    public void Every_window_of_the_total_weight_holds_each_entry_its_share()
    {
        MixEntry[] mix =
        [
            new(FlowKind.VerifyIdentity, "hospital", 20),
            new(FlowKind.CheckCard, "hospital", 10),
            new(FlowKind.CheckCard, "insurer", 5),
            new(FlowKind.BirthDossier, "commune", 8),
            new(FlowKind.DeathDossier, "commune", 4),
            new(FlowKind.LandTransfer, "land", 1),
        ];
        var picker = new MixPicker(mix);

        var picks = Enumerable.Range(0, 48 * 3).Select(_ => picker.Next()).ToList();

        foreach (var window in picks.Chunk(48))
        {
            foreach (var entry in mix)
                Assert.Equal((int)entry.Weight, window.Count(p => p == entry));
        }
    }

    [Fact]
    public void The_heaviest_entry_does_not_come_in_one_block()
    {
        var picker = new MixPicker([new(FlowKind.VerifyIdentity, "a", 3), new(FlowKind.ReadParcel, "b", 1)]);

        var flows = Enumerable.Range(0, 8).Select(_ => picker.Next().Flow).ToList();

        Assert.Equal([FlowKind.VerifyIdentity, FlowKind.VerifyIdentity, FlowKind.ReadParcel, FlowKind.VerifyIdentity], flows.Take(4));
        Assert.Equal(flows.Take(4), flows.Skip(4));
    }

    [Fact]
    public void Fractional_weights_keep_their_proportions()
    {
        var picker = new MixPicker([new(FlowKind.CheckIn, "a", 0.5), new(FlowKind.CheckCard, "b", 1.5)]);

        var flows = Enumerable.Range(0, 400).Select(_ => picker.Next().Flow).ToList();

        Assert.Equal(100, flows.Count(f => f == FlowKind.CheckIn));
    }
}
