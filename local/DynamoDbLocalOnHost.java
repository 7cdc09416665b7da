// Starts DynamoDB Local listening on one address only (its jar has no option for that: it
// listens on every interface). Compiled once by local/dynamodb-local.ts into .cache/, then run as
//   java -cp DynamoDBLocal.jar:<classes> DynamoDbLocalOnHost 127.0.0.1 -port 8002 -inMemory
import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

public class DynamoDbLocalOnHost {
  public static void main(String[] args) throws Exception {
    String host = args[0];
    DynamoDBProxyServer proxy =
        ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
    // The Jetty server is built (not started) by the constructor; bind its connector before start.
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    for (Connector connector : jetty.getConnectors()) ((ServerConnector) connector).setHost(host);
    proxy.start();
    proxy.join();
  }
}
