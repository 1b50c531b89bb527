using System.Diagnostics;

namespace LgspHub.LocalHub.Tests;

public class ProcStatTests
{
    [Fact]
    public void Fields_are_counted_from_the_last_parenthesis_so_a_command_name_with_spaces_and_parentheses_does_not_shift_them()
    {
        var stat = ProcStat.Parse("4242 (nginx: worker (2)) S 4240 4240 4240 0 -1 4194624 310 0 0 0 250 50 0 0 20 0 1 0 98765 12345678 900 18446744073709551615");

        Assert.Equal('S', stat.State);
        Assert.Equal(4240, stat.ParentPid);
        Assert.Equal(300, stat.CpuTicks);
    }

    [Fact]
    public void A_line_that_is_not_a_stat_line_is_refused()
    {
        Assert.Throws<FormatException>(() => ProcStat.Parse("no parentheses here"));
        Assert.Throws<FormatException>(() => ProcStat.Parse("1 (short) S 0"));
    }

    [Fact]
    public void This_process_reads_as_a_child_of_its_parent_with_the_clock_ticks_of_linux()
    {
        var self = ProcStat.Read(Environment.ProcessId);

        Assert.NotNull(self);
        Assert.True(ProcStat.Alive(Environment.ProcessId));
        Assert.Contains(Environment.ProcessId, ProcStat.Children(self.Value.ParentPid));
        // USER_HZ: 100 on every Linux architecture .NET runs on.
        Assert.Equal(100, ProcStat.TicksPerSecond);
    }

    [Fact]
    public void A_process_that_is_gone_counts_no_time()
    {
        using var done = Process.Start(new ProcessStartInfo("true"))!;
        done.WaitForExit();

        Assert.Null(ProcStat.Read(done.Id));
        Assert.False(ProcStat.Alive(done.Id));
        Assert.Equal(0, ProcStat.Ticks([done.Id]));
    }
}
