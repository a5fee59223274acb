# report.sh
