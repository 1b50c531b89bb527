using LgspHub.Data;

namespace LgspHub.ServiceDefaults.Tests;

public sealed class DatabaseStoreTests
{
    [Theory]
    [InlineData("Host=127.0.0.1;Port=5432;Username=lgsp;Database=lgsp_land", true)]
    [InlineData("Server=db;Database=lgsp_land", true)]
    [InlineData("host=db;database=lgsp_land", true)]
    [InlineData("Data Source=/srv/hub/land.db", false)]
    [InlineData("Data Source=land.db;Pooling=false", false)]
    public void A_connection_string_naming_a_host_is_a_postgres_server_and_any_other_a_sqlite_file(string connectionString, bool postgres) =>
        Assert.Equal(postgres, DatabaseStore.IsPostgres(connectionString));
}
