namespace LgspHub.EndToEnd.Tests;

/// <summary>Waits on a condition with a deadline: the suite never sleeps a fixed time.</summary>
public static class Eventually
{
    public static Task<T> Get<T>(Func<Task<T?>> probe, TimeSpan timeout, string what) where T : class =>
        Get(probe, timeout, () => what);

    /// <param name="describe">Called on time-out, to say what was seen instead.</param>
    public static async Task<T> Get<T>(Func<Task<T?>> probe, TimeSpan timeout, Func<string> describe) where T : class
    {
        using var deadline = new CancellationTokenSource(timeout);
        Exception? last = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                if (await probe() is { } value)
                    return value;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                last = e;
            }
            await Task.Delay(100, CancellationToken.None);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {describe()}.", last);
    }

    public static Task True(Func<Task<bool>> probe, TimeSpan timeout, string what) =>
        True(probe, timeout, () => what);

    public static Task True(Func<Task<bool>> probe, TimeSpan timeout, Func<string> describe) =>
        Get(async () => await probe() ? "" : null, timeout, describe);
}
