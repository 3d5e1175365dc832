# Shared settings for the local stack. Sourced by the other scripts; every value can be overridden from the environment.
SESSIONRANK_ROOT="${SESSIONRANK_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
LOCAL_DIR="${SESSIONRANK_LOCAL_DIR:-$SESSIONRANK_ROOT/.local}"
REDIS_PORT="${SESSIONRANK_REDIS_PORT:-6390}"
# The same Redis also listens with TLS (a throwaway CA under .local/tls), for the TLS tests.
REDIS_TLS_PORT="${SESSIONRANK_REDIS_TLS_PORT:-$((REDIS_PORT + 10000))}"
POSTGRES_PORT="${SESSIONRANK_POSTGRES_PORT:-5440}"
KAFKA_PORT="${SESSIONRANK_KAFKA_PORT:-9092}"
HTTP_PORT="${SESSIONRANK_HTTP_PORT:-8080}"
POSTGRES_USER_NAME="${SESSIONRANK_POSTGRES_USER:-sessionrank}"
POSTGRES_DB_NAME="${SESSIONRANK_POSTGRES_DB:-sessionrank}"
BUILD_CONFIGURATION="${SESSIONRANK_BUILD_CONFIGURATION:-debug}"

# The connection settings the service and the tests read.
export SESSIONRANK_REDIS_URL="${SESSIONRANK_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT}"
export SESSIONRANK_POSTGRES_URL="${SESSIONRANK_POSTGRES_URL:-postgres://$POSTGRES_USER_NAME@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DB_NAME}"
export SESSIONRANK_KAFKA_BOOTSTRAP="${SESSIONRANK_KAFKA_BOOTSTRAP:-127.0.0.1:$KAFKA_PORT}"
# The local stack is for development: `sessionrank serve` accepts the shipped pseudonym secret
# only in this mode (a deployment sets SESSIONRANK_PRIVACY_PSEUDONYM_SECRET instead).
export SESSIONRANK_DEVELOPMENT_MODE="${SESSIONRANK_DEVELOPMENT_MODE:-true}"

log() { printf '[sessionrank] %s\n' "$*" >&2; }
die() { printf '[sessionrank] error: %s\n' "$*" >&2; exit 1; }

bin_path() { (cd "$SESSIONRANK_ROOT" && swift build -c "$BUILD_CONFIGURATION" --show-bin-path); }

# Waits until a TCP port on loopback accepts connections.
wait_for_port() {
    local port=$1 name=$2 seconds=${3:-30}
    for _ in $(seq 1 $((seconds * 10))); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "$name did not open port $port within ${seconds}s"
}
